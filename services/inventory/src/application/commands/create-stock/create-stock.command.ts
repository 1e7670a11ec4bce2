/** Start keeping stock for a product the catalog has just added. */
export interface CreateStockCommand {
  readonly sku: string;
}
