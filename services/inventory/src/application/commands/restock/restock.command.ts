/** An administrator adds units of a SKU. */
export interface RestockCommand {
  readonly sku: string;
  readonly quantity: number;
}
