import type { ReservationState } from './reservation.aggregate';
import type { Shortage, StockChange } from './stock-level.value-object';

export type StockChangeReason = 'created' | 'restock' | 'reserved' | 'released' | 'committed';
type ReservationFailureReason = 'insufficient_stock' | 'unknown_sku' | 'order_released';

/** Facts inside inventory; infrastructure turns them into integration events for other services. */
export type InventoryDomainEvent =
  | { readonly kind: 'StockChanged'; readonly level: StockChange; readonly reason: StockChangeReason; readonly occurredAt: Date }
  | { readonly kind: 'StockReserved'; readonly reservation: ReservationState; readonly occurredAt: Date }
  | {
      readonly kind: 'StockReservationFailed';
      readonly orderId: string;
      readonly reason: ReservationFailureReason;
      readonly shortages: readonly Shortage[];
      readonly occurredAt: Date;
    }
  | { readonly kind: 'ReservationCommitted'; readonly reservation: ReservationState; readonly occurredAt: Date }
  /** A commit arrived after the reservation ended (or for an order with none): nothing was sold. */
  | {
      readonly kind: 'ReservationCommitRefused';
      readonly orderId: string;
      readonly reservationId: string | null;
      readonly reason: string;
      readonly occurredAt: Date;
    }
  | {
      readonly kind: 'ReservationReleased';
      readonly orderId: string;
      /** null when nothing was ever reserved for the order (a tombstone). */
      readonly reservationId: string | null;
      readonly reason: string;
      readonly occurredAt: Date;
    };

export function stockChanged(level: StockChange, reason: StockChangeReason, occurredAt: Date): InventoryDomainEvent {
  return { kind: 'StockChanged', level, reason, occurredAt };
}
