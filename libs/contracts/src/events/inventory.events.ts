import { z } from 'zod';
import { defineEvent } from './event-definition';
import { orderLineItemSchema } from './shared';
import type { StreamDefinition } from './streams';

/** The stream of the inventory domain; every event below is stored in it. */
export const INVENTORY_STREAM: StreamDefinition = {
  name: 'INVENTORY',
  domain: 'inventory',
  description: 'Stock levels and reservations',
};

// Commands the order saga sends to inventory (imperative names), then the facts inventory publishes.

export const ReserveStockV1 = defineEvent({
  stream: INVENTORY_STREAM,
  subject: 'inventory.reserve-stock.v1',
  producer: 'order',
  description: 'Command: hold stock for every line of an order, all or none.',
  payload: z.object({ orderId: z.uuid(), lines: z.array(orderLineItemSchema).min(1) }),
});

export const CommitReservationV1 = defineEvent({
  stream: INVENTORY_STREAM,
  subject: 'inventory.commit-reservation.v1',
  producer: 'order',
  description:
    'Command: the order’s payment is authorized; turn its reserved units into sold ones. Answered with ' +
    'inventory.reservation-committed.v1, or inventory.reservation-commit-failed.v1 when the reservation ended first.',
  payload: z.object({ orderId: z.uuid() }),
});

export const ReleaseReservationV1 = defineEvent({
  stream: INVENTORY_STREAM,
  subject: 'inventory.release-reservation.v1',
  producer: 'order',
  description:
    'Command: the order will not complete; return its reserved units. Also sent when no reservation ' +
    'is known yet, so a reservation that arrives late is refused.',
  payload: z.object({ orderId: z.uuid(), reason: z.string() }),
});

export const StockReservedV1 = defineEvent({
  stream: INVENTORY_STREAM,
  subject: 'inventory.stock-reserved.v1',
  producer: 'inventory',
  description: 'Stock for every line of the order is held until the reservation expires.',
  payload: z.object({
    orderId: z.uuid(),
    reservationId: z.uuid(),
    lines: z.array(orderLineItemSchema),
    expiresAt: z.iso.datetime({ offset: true }),
  }),
});

export const StockReservationFailedV1 = defineEvent({
  stream: INVENTORY_STREAM,
  subject: 'inventory.stock-reservation-failed.v1',
  producer: 'inventory',
  description: 'No stock was reserved for the order: a line could not be served, or the order was already released.',
  payload: z.object({
    orderId: z.uuid(),
    reason: z.enum(['insufficient_stock', 'unknown_sku', 'order_released']),
    shortages: z.array(z.object({ sku: z.string(), requested: z.number().int(), available: z.number().int() })),
  }),
});

export const ReservationCommittedV1 = defineEvent({
  stream: INVENTORY_STREAM,
  subject: 'inventory.reservation-committed.v1',
  producer: 'inventory',
  description: 'The reserved units of the order are sold.',
  payload: z.object({ orderId: z.uuid(), reservationId: z.uuid() }),
});

export const ReservationCommitFailedV1 = defineEvent({
  stream: INVENTORY_STREAM,
  subject: 'inventory.reservation-commit-failed.v1',
  producer: 'inventory',
  description:
    'Reply to a commit that came too late: the reservation of the order was already released (it ' +
    'expired, or the order was cancelled), or none exists. Nothing was sold; the saga must not charge.',
  payload: z.object({
    orderId: z.uuid(),
    reservationId: z.uuid().nullable().describe('null when nothing was ever reserved for the order'),
    reason: z.string().describe('Why the reservation ended, e.g. "expired"'),
  }),
});

export const ReservationReleasedV1 = defineEvent({
  stream: INVENTORY_STREAM,
  subject: 'inventory.reservation-released.v1',
  producer: 'inventory',
  description: 'The reserved units of the order are available again (or there were none to release).',
  payload: z.object({
    orderId: z.uuid(),
    reservationId: z.uuid().nullable(),
    reason: z.string(),
  }),
});

export const StockChangedV1 = defineEvent({
  stream: INVENTORY_STREAM,
  subject: 'inventory.stock-changed.v1',
  producer: 'inventory',
  description: 'The stock level of a SKU changed. Carries the new levels and their version (keep the highest).',
  payload: z.object({
    sku: z.string(),
    available: z.number().int().nonnegative(),
    reserved: z.number().int().nonnegative(),
    sold: z.number().int().nonnegative(),
    version: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        'Counts the changes of this SKU: the higher one is newer, whatever occurredAt says. Absent from events before it was added',
      ),
    reason: z.enum(['created', 'restock', 'reserved', 'released', 'committed']),
  }),
});
