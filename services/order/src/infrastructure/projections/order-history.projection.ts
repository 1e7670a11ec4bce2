import {
  OrderCancelledV1,
  OrderConfirmedV1,
  OrderPlacedV1,
  OrderRejectedV1,
  PaymentAuthorizedV1,
  PaymentCapturedV1,
  PaymentFailedV1,
  PaymentVoidedV1,
  ProductCreatedV1,
  ProductUpdatedV1,
  ReservationCommitFailedV1,
  ReservationCommittedV1,
  ReservationReleasedV1,
  StockReservationFailedV1,
  StockReservedV1,
  type EnvelopeOf,
  type EventDefinition,
} from '@storefront/contracts';
import type { SqlTransaction } from '@storefront/messaging';

/** The tables a projection writes: the live ones, or fresh copies while rebuilding. */
export interface OrderHistoryTables {
  readonly orders: string;
  readonly timeline: string;
  readonly products: string;
}

export const LIVE_ORDER_HISTORY: OrderHistoryTables = {
  orders: 'order_history',
  timeline: 'order_history_timeline',
  products: 'order_history_products',
};

/** Every event the order history is made of. */
export const ORDER_HISTORY_EVENTS: readonly EventDefinition[] = [
  OrderPlacedV1,
  OrderConfirmedV1,
  OrderCancelledV1,
  OrderRejectedV1,
  StockReservedV1,
  StockReservationFailedV1,
  ReservationCommittedV1,
  ReservationCommitFailedV1,
  ReservationReleasedV1,
  PaymentAuthorizedV1,
  PaymentFailedV1,
  PaymentCapturedV1,
  PaymentVoidedV1,
  ProductCreatedV1,
  ProductUpdatedV1,
];

/*
 * Every write below is idempotent and order-independent, so duplicates and events that arrive out of
 * order (a confirmation before its placement) converge to the same rows:
 * - status only moves up its rank (placed 1 < stock_reserved 2 < payment_authorized 3 < final 4);
 * - payment status likewise (authorized 1 < captured | failed | voided 2);
 * - a row created by an early event is completed when the placement arrives (merged, not lost);
 * - one timeline entry per fact (order, type): a fact repeated under a new event id (a reply sent
 *   again) keeps the earliest entry; product names keep the newest event's.
 */

type Event = EnvelopeOf<EventDefinition>;

async function status(
  tx: SqlTransaction,
  t: OrderHistoryTables,
  event: Event,
  orderId: string,
  next: string,
  rank: number,
  reason: string | null,
) {
  await tx.$executeRawUnsafe(
    `INSERT INTO "${t.orders}" ("order_id", "status", "status_rank", "status_reason", "last_event_at")
     VALUES ($1::uuid, $2, $3, $4, $5::timestamptz)
     ON CONFLICT ("order_id") DO UPDATE SET
       "status" = CASE WHEN EXCLUDED."status_rank" > "${t.orders}"."status_rank" THEN EXCLUDED."status" ELSE "${t.orders}"."status" END,
       "status_reason" = CASE WHEN EXCLUDED."status_rank" > "${t.orders}"."status_rank" THEN EXCLUDED."status_reason" ELSE "${t.orders}"."status_reason" END,
       "status_rank" = GREATEST("${t.orders}"."status_rank", EXCLUDED."status_rank"),
       "last_event_at" = GREATEST("${t.orders}"."last_event_at", EXCLUDED."last_event_at")`,
    orderId,
    next,
    rank,
    reason,
    event.occurredAt,
  );
}

async function payment(tx: SqlTransaction, t: OrderHistoryTables, event: Event, orderId: string, next: string, rank: number) {
  await tx.$executeRawUnsafe(
    `INSERT INTO "${t.orders}" ("order_id", "status", "status_rank", "payment_status", "payment_rank", "last_event_at")
     VALUES ($1::uuid, 'placed', 1, $2, $3, $4::timestamptz)
     ON CONFLICT ("order_id") DO UPDATE SET
       "payment_status" = CASE WHEN EXCLUDED."payment_rank" > "${t.orders}"."payment_rank" THEN EXCLUDED."payment_status" ELSE "${t.orders}"."payment_status" END,
       "payment_rank" = GREATEST("${t.orders}"."payment_rank", EXCLUDED."payment_rank"),
       "last_event_at" = GREATEST("${t.orders}"."last_event_at", EXCLUDED."last_event_at")`,
    orderId,
    next,
    rank,
    event.occurredAt,
  );
}

async function timeline(
  tx: SqlTransaction,
  t: OrderHistoryTables,
  event: Event,
  orderId: string,
  type: string,
  detail: string | null = null,
) {
  await tx.$executeRawUnsafe(
    `INSERT INTO "${t.timeline}" ("event_id", "order_id", "occurred_at", "type", "detail")
     VALUES ($1::uuid, $2::uuid, $3::timestamptz, $4, $5)
     ON CONFLICT ("order_id", "type") DO UPDATE SET
       "event_id" = EXCLUDED."event_id", "occurred_at" = EXCLUDED."occurred_at", "detail" = EXCLUDED."detail"
     WHERE (EXCLUDED."occurred_at", EXCLUDED."event_id") < ("${t.timeline}"."occurred_at", "${t.timeline}"."event_id")`,
    event.id,
    orderId,
    event.occurredAt,
    type,
    detail?.slice(0, 500) ?? null,
  );
}

const money = (value: { amountMinor: number; currency: string }) => `${(value.amountMinor / 100).toFixed(2)} ${value.currency}`;

/** Applies one event to the order history in `tx`. */
export async function applyToOrderHistory(
  tx: SqlTransaction,
  tables: OrderHistoryTables,
  definition: EventDefinition,
  event: Event,
): Promise<void> {
  const subject = definition.subject;
  if (subject === ProductCreatedV1.subject || subject === ProductUpdatedV1.subject) {
    const product = (event as EnvelopeOf<typeof ProductCreatedV1>).payload;
    await tx.$executeRawUnsafe(
      `INSERT INTO "${tables.products}" ("product_id", "sku", "name", "last_event_at") VALUES ($1::uuid, $2, $3, $4::timestamptz)
       ON CONFLICT ("product_id") DO UPDATE SET "sku" = EXCLUDED."sku", "name" = EXCLUDED."name", "last_event_at" = EXCLUDED."last_event_at"
       WHERE "${tables.products}"."last_event_at" <= EXCLUDED."last_event_at"`,
      product.productId,
      product.sku,
      product.name,
      event.occurredAt,
    );
    return;
  }
  const orderId = (event.payload as { orderId: string }).orderId;
  switch (subject) {
    case OrderPlacedV1.subject: {
      const placed = (event as EnvelopeOf<typeof OrderPlacedV1>).payload;
      await tx.$executeRawUnsafe(
        `INSERT INTO "${tables.orders}" ("order_id", "customer_id", "status", "status_rank", "total_minor", "currency", "lines", "placed_at", "last_event_at")
         VALUES ($1::uuid, $2, 'placed', 1, $3, $4, $5::jsonb, $6::timestamptz, $6::timestamptz)
         ON CONFLICT ("order_id") DO UPDATE SET
           "customer_id" = EXCLUDED."customer_id", "total_minor" = EXCLUDED."total_minor", "currency" = EXCLUDED."currency",
           "lines" = EXCLUDED."lines", "placed_at" = EXCLUDED."placed_at",
           "last_event_at" = GREATEST("${tables.orders}"."last_event_at", EXCLUDED."last_event_at")`,
        orderId,
        placed.customerId,
        placed.total.amountMinor,
        placed.total.currency,
        JSON.stringify(placed.lines),
        event.occurredAt,
      );
      await timeline(tx, tables, event, orderId, 'placed', `${placed.lines.length} line(s), total ${money(placed.total)}`);
      return;
    }
    case StockReservedV1.subject:
      await status(tx, tables, event, orderId, 'stock_reserved', 2, null);
      await timeline(tx, tables, event, orderId, 'stock_reserved');
      return;
    case StockReservationFailedV1.subject:
      await timeline(
        tx,
        tables,
        event,
        orderId,
        'stock_reservation_failed',
        (event as EnvelopeOf<typeof StockReservationFailedV1>).payload.reason,
      );
      return;
    case ReservationCommittedV1.subject:
      await timeline(tx, tables, event, orderId, 'stock_committed');
      return;
    case ReservationCommitFailedV1.subject:
      await timeline(
        tx,
        tables,
        event,
        orderId,
        'stock_commit_failed',
        (event as EnvelopeOf<typeof ReservationCommitFailedV1>).payload.reason,
      );
      return;
    case ReservationReleasedV1.subject:
      await timeline(tx, tables, event, orderId, 'stock_released', (event as EnvelopeOf<typeof ReservationReleasedV1>).payload.reason);
      return;
    case PaymentAuthorizedV1.subject:
      await status(tx, tables, event, orderId, 'payment_authorized', 3, null);
      await payment(tx, tables, event, orderId, 'authorized', 1);
      await timeline(
        tx,
        tables,
        event,
        orderId,
        'payment_authorized',
        money((event as EnvelopeOf<typeof PaymentAuthorizedV1>).payload.amount),
      );
      return;
    case PaymentFailedV1.subject:
      await payment(tx, tables, event, orderId, 'failed', 2);
      await timeline(tx, tables, event, orderId, 'payment_failed', (event as EnvelopeOf<typeof PaymentFailedV1>).payload.message);
      return;
    case PaymentCapturedV1.subject:
      await payment(tx, tables, event, orderId, 'captured', 2);
      await timeline(tx, tables, event, orderId, 'payment_captured', money((event as EnvelopeOf<typeof PaymentCapturedV1>).payload.amount));
      return;
    case PaymentVoidedV1.subject:
      await payment(tx, tables, event, orderId, 'voided', 2);
      await timeline(tx, tables, event, orderId, 'payment_voided');
      return;
    case OrderConfirmedV1.subject:
      await status(tx, tables, event, orderId, 'confirmed', 4, null);
      await timeline(tx, tables, event, orderId, 'confirmed');
      return;
    case OrderCancelledV1.subject: {
      const { reason } = (event as EnvelopeOf<typeof OrderCancelledV1>).payload;
      await status(tx, tables, event, orderId, 'cancelled', 4, reason);
      await timeline(tx, tables, event, orderId, 'cancelled', reason);
      return;
    }
    case OrderRejectedV1.subject: {
      const { reason } = (event as EnvelopeOf<typeof OrderRejectedV1>).payload;
      await status(tx, tables, event, orderId, 'rejected', 4, reason);
      await timeline(tx, tables, event, orderId, 'rejected', reason);
      return;
    }
    default:
      throw new Error(`the order history has no projection for ${subject}`);
  }
}
