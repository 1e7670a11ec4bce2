/** Hold stock for every line of an order, all or none (sent by the order saga). */
export interface ReserveStockCommand {
  readonly orderId: string;
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[];
}
