export type OrderStatus = 'placed' | 'stock_reserved' | 'payment_authorized' | 'confirmed' | 'cancelled' | 'rejected';

export const ORDER_STATUSES: ReadonlySet<string> = new Set<OrderStatus>([
  'placed',
  'stock_reserved',
  'payment_authorized',
  'confirmed',
  'cancelled',
  'rejected',
]);

const FINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['confirmed', 'cancelled', 'rejected']);

export function isFinal(status: OrderStatus): boolean {
  return FINAL_STATUSES.has(status);
}
