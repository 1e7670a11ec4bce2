import {
  ReservationCommitFailedV1,
  ReservationCommittedV1,
  ReservationReleasedV1,
  StockChangedV1,
  StockReservationFailedV1,
  StockReservedV1,
  type EventEnvelope,
} from '@storefront/contracts';
import { createEvent } from '@storefront/messaging';
import type { InventoryDomainEvent } from '../../domain/inventory.domain-event';

const SOURCE = 'inventory';

/**
 * Domain events → the integration events other services consume (inventory.*.v1). Stock events are
 * about a SKU (aggregateId = SKU); reservation events about an order (aggregateId = order id,
 * since a refusal or a tombstone has no reservation of its own).
 */
export function toIntegrationEvent(event: InventoryDomainEvent): EventEnvelope {
  const occurredAt = event.occurredAt;
  switch (event.kind) {
    case 'StockChanged': {
      const { sku, available, reserved, sold, version } = event.level;
      return createEvent(StockChangedV1, {
        source: SOURCE,
        aggregateId: sku,
        occurredAt,
        payload: { sku, available, reserved, sold, version, reason: event.reason },
      });
    }
    case 'StockReserved': {
      const { id, orderId, lines, expiresAt } = event.reservation;
      return createEvent(StockReservedV1, {
        source: SOURCE,
        aggregateId: orderId,
        occurredAt,
        payload: {
          orderId,
          reservationId: id,
          lines: lines.items.map((line) => ({ sku: line.sku, quantity: line.quantity })),
          expiresAt: expiresAt.toISOString(),
        },
      });
    }
    case 'StockReservationFailed':
      return createEvent(StockReservationFailedV1, {
        source: SOURCE,
        aggregateId: event.orderId,
        occurredAt,
        payload: { orderId: event.orderId, reason: event.reason, shortages: [...event.shortages] },
      });
    case 'ReservationCommitted':
      return createEvent(ReservationCommittedV1, {
        source: SOURCE,
        aggregateId: event.reservation.orderId,
        occurredAt,
        payload: { orderId: event.reservation.orderId, reservationId: event.reservation.id },
      });
    case 'ReservationCommitRefused':
      return createEvent(ReservationCommitFailedV1, {
        source: SOURCE,
        aggregateId: event.orderId,
        occurredAt,
        payload: { orderId: event.orderId, reservationId: event.reservationId, reason: event.reason },
      });
    case 'ReservationReleased':
      return createEvent(ReservationReleasedV1, {
        source: SOURCE,
        aggregateId: event.orderId,
        occurredAt,
        payload: { orderId: event.orderId, reservationId: event.reservationId, reason: event.reason },
      });
  }
}
