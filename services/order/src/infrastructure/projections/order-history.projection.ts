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
  type EventEnvelope,
} from '@storefront/contracts';
import { subjectOf, type SqlTransaction } from '@storefront/messaging';
import { asOneStatement, executeLater, type SqlStatement } from '@storefront/persistence';

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

type Statement = SqlStatement;

function status(t: OrderHistoryTables, event: Event, orderId: string, next: string, rank: number, reason: string | null): Statement {
  return {
    sql: `INSERT INTO "${t.orders}" ("order_id", "status", "status_rank", "status_reason", "last_event_at")
     VALUES ($1::uuid, $2, $3, $4, $5::timestamptz)
     ON CONFLICT ("order_id") DO UPDATE SET
       "status" = CASE WHEN EXCLUDED."status_rank" > "${t.orders}"."status_rank" THEN EXCLUDED."status" ELSE "${t.orders}"."status" END,
       "status_reason" = CASE WHEN EXCLUDED."status_rank" > "${t.orders}"."status_rank" THEN EXCLUDED."status_reason" ELSE "${t.orders}"."status_reason" END,
       "status_rank" = GREATEST("${t.orders}"."status_rank", EXCLUDED."status_rank"),
       "last_event_at" = GREATEST("${t.orders}"."last_event_at", EXCLUDED."last_event_at")`,
    values: [orderId, next, rank, reason, event.occurredAt],
  };
}

function payment(t: OrderHistoryTables, event: Event, orderId: string, next: string, rank: number): Statement {
  return {
    sql: `INSERT INTO "${t.orders}" ("order_id", "status", "status_rank", "payment_status", "payment_rank", "last_event_at")
     VALUES ($1::uuid, 'placed', 1, $2, $3, $4::timestamptz)
     ON CONFLICT ("order_id") DO UPDATE SET
       "payment_status" = CASE WHEN EXCLUDED."payment_rank" > "${t.orders}"."payment_rank" THEN EXCLUDED."payment_status" ELSE "${t.orders}"."payment_status" END,
       "payment_rank" = GREATEST("${t.orders}"."payment_rank", EXCLUDED."payment_rank"),
       "last_event_at" = GREATEST("${t.orders}"."last_event_at", EXCLUDED."last_event_at")`,
    values: [orderId, next, rank, event.occurredAt],
  };
}

function timeline(t: OrderHistoryTables, event: Event, orderId: string, type: string, detail: string | null = null): Statement {
  return {
    sql: `INSERT INTO "${t.timeline}" ("event_id", "order_id", "occurred_at", "type", "detail")
     VALUES ($1::uuid, $2::uuid, $3::timestamptz, $4, $5)
     ON CONFLICT ("order_id", "type") DO UPDATE SET
       "event_id" = EXCLUDED."event_id", "occurred_at" = EXCLUDED."occurred_at", "detail" = EXCLUDED."detail"
     WHERE (EXCLUDED."occurred_at", EXCLUDED."event_id") < ("${t.timeline}"."occurred_at", "${t.timeline}"."event_id")`,
    values: [event.id, orderId, event.occurredAt, type, detail?.slice(0, 500) ?? null],
  };
}

const money = (value: { amountMinor: number; currency: string }) => `${(value.amountMinor / 100).toFixed(2)} ${value.currency}`;

/**
 * The writes of one event to the order history, as round trips: one statement (two for a payment
 * authorization, whose status and payment are the same row); each round trip's statements write
 * different rows, so they run as one (asOneStatement).
 */
function orderHistoryWrites(tables: OrderHistoryTables, definition: EventDefinition, event: Event): Statement[][] {
  const subject = definition.subject;
  if (subject === ProductCreatedV1.subject || subject === ProductUpdatedV1.subject) {
    const product = (event as EnvelopeOf<typeof ProductCreatedV1>).payload;
    return [
      [
        {
          sql: `INSERT INTO "${tables.products}" ("product_id", "sku", "name", "last_event_at") VALUES ($1::uuid, $2, $3, $4::timestamptz)
       ON CONFLICT ("product_id") DO UPDATE SET "sku" = EXCLUDED."sku", "name" = EXCLUDED."name", "last_event_at" = EXCLUDED."last_event_at"
       WHERE "${tables.products}"."last_event_at" <= EXCLUDED."last_event_at"`,
          values: [product.productId, product.sku, product.name, event.occurredAt],
        },
      ],
    ];
  }
  const orderId = (event.payload as { orderId: string }).orderId;
  const t = tables;
  switch (subject) {
    case OrderPlacedV1.subject: {
      const placed = (event as EnvelopeOf<typeof OrderPlacedV1>).payload;
      const order: Statement = {
        sql: `INSERT INTO "${t.orders}" ("order_id", "customer_id", "status", "status_rank", "total_minor", "currency", "lines", "placed_at", "last_event_at")
         VALUES ($1::uuid, $2, 'placed', 1, $3, $4, $5::jsonb, $6::timestamptz, $6::timestamptz)
         ON CONFLICT ("order_id") DO UPDATE SET
           "customer_id" = EXCLUDED."customer_id", "total_minor" = EXCLUDED."total_minor", "currency" = EXCLUDED."currency",
           "lines" = EXCLUDED."lines", "placed_at" = EXCLUDED."placed_at",
           "last_event_at" = GREATEST("${t.orders}"."last_event_at", EXCLUDED."last_event_at")`,
        values: [
          orderId,
          placed.customerId,
          placed.total.amountMinor,
          placed.total.currency,
          JSON.stringify(placed.lines),
          event.occurredAt,
        ],
      };
      return [[order, timeline(t, event, orderId, 'placed', `${placed.lines.length} line(s), total ${money(placed.total)}`)]];
    }
    case StockReservedV1.subject:
      return [[status(t, event, orderId, 'stock_reserved', 2, null), timeline(t, event, orderId, 'stock_reserved')]];
    case StockReservationFailedV1.subject:
      return [
        [timeline(t, event, orderId, 'stock_reservation_failed', (event as EnvelopeOf<typeof StockReservationFailedV1>).payload.reason)],
      ];
    case ReservationCommittedV1.subject:
      return [[timeline(t, event, orderId, 'stock_committed')]];
    case ReservationCommitFailedV1.subject:
      return [[timeline(t, event, orderId, 'stock_commit_failed', (event as EnvelopeOf<typeof ReservationCommitFailedV1>).payload.reason)]];
    case ReservationReleasedV1.subject:
      return [[timeline(t, event, orderId, 'stock_released', (event as EnvelopeOf<typeof ReservationReleasedV1>).payload.reason)]];
    case PaymentAuthorizedV1.subject:
      // Status and payment write the same row: two round trips.
      return [
        [status(t, event, orderId, 'payment_authorized', 3, null)],
        [
          payment(t, event, orderId, 'authorized', 1),
          timeline(t, event, orderId, 'payment_authorized', money((event as EnvelopeOf<typeof PaymentAuthorizedV1>).payload.amount)),
        ],
      ];
    case PaymentFailedV1.subject:
      return [
        [
          payment(t, event, orderId, 'failed', 2),
          timeline(t, event, orderId, 'payment_failed', (event as EnvelopeOf<typeof PaymentFailedV1>).payload.message),
        ],
      ];
    case PaymentCapturedV1.subject:
      return [
        [
          payment(t, event, orderId, 'captured', 2),
          timeline(t, event, orderId, 'payment_captured', money((event as EnvelopeOf<typeof PaymentCapturedV1>).payload.amount)),
        ],
      ];
    case PaymentVoidedV1.subject:
      return [[payment(t, event, orderId, 'voided', 2), timeline(t, event, orderId, 'payment_voided')]];
    case OrderConfirmedV1.subject:
      return [[status(t, event, orderId, 'confirmed', 4, null), timeline(t, event, orderId, 'confirmed')]];
    case OrderCancelledV1.subject: {
      const { reason } = (event as EnvelopeOf<typeof OrderCancelledV1>).payload;
      return [[status(t, event, orderId, 'cancelled', 4, reason), timeline(t, event, orderId, 'cancelled', reason)]];
    }
    case OrderRejectedV1.subject: {
      const { reason } = (event as EnvelopeOf<typeof OrderRejectedV1>).payload;
      return [[status(t, event, orderId, 'rejected', 4, reason), timeline(t, event, orderId, 'rejected', reason)]];
    }
    default:
      throw new Error(`the order history has no projection for ${subject}`);
  }
}

/** Applies one event to the order history in `tx`. */
export async function applyToOrderHistory(
  tx: SqlTransaction,
  tables: OrderHistoryTables,
  definition: EventDefinition,
  event: Event,
): Promise<void> {
  // Nothing reads them back: they go out with the transaction's next statement or its COMMIT.
  for (const writes of orderHistoryWrites(tables, definition, event)) await executeLater(tx, asOneStatement(writes));
}

const DEFINITIONS_BY_SUBJECT = new Map(ORDER_HISTORY_EVENTS.map((definition) => [definition.subject, definition]));

/**
 * The live order history's writes (round trips, as orderHistoryWrites) for those of `events` it is
 * made of: the order's own facts, saved with the outbox, or a reply the saga applied. Commands
 * have none. Written in the transaction that records the events, the history is exactly as current
 * as the order.
 */
export function liveOrderHistoryWrites(events: readonly EventEnvelope[]): Statement[][] {
  return events.flatMap((event) => {
    const definition = DEFINITIONS_BY_SUBJECT.get(subjectOf(event));
    return definition ? orderHistoryWrites(LIVE_ORDER_HISTORY, definition, event) : [];
  });
}

/** Applies liveOrderHistoryWrites(events) in `tx`. */
export async function recordInOrderHistory(tx: SqlTransaction, events: readonly EventEnvelope[]): Promise<void> {
  for (const writes of liveOrderHistoryWrites(events)) await executeLater(tx, asOneStatement(writes));
}
