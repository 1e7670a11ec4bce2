import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import fc from 'fast-check';
import { Pool } from 'pg';
import {
  OrderCancelledV1,
  OrderConfirmedV1,
  OrderPlacedV1,
  PaymentAuthorizedV1,
  PaymentCapturedV1,
  PaymentFailedV1,
  ProductUpdatedV1,
  ReservationCommittedV1,
  ReservationReleasedV1,
  StockReservedV1,
  type EventDefinition,
  type EventEnvelope,
} from '@storefront/contracts';
import { createEvent, pgTransactionRunner } from '@storefront/messaging';
import { createTestDatabase, type TestDatabase } from '@storefront/testing';
import { applyToOrderHistory, LIVE_ORDER_HISTORY } from '../src/infrastructure/projections/order-history.projection';

const money = (amountMinor: number) => ({ amountMinor, currency: 'USD' });
let clock = Date.parse('2026-01-01T00:00:00Z');
const next = () => new Date((clock += 1_000));

/** The events of one order's life, in the order they happened. */
function lifeOf(outcome: 'confirmed' | 'cancelled'): [EventDefinition, EventEnvelope][] {
  const orderId = randomUUID();
  const productId = randomUUID();
  const event = <D extends EventDefinition>(definition: D, payload: unknown): [EventDefinition, EventEnvelope] => [
    definition,
    createEvent(definition, { source: 'test', aggregateId: orderId, occurredAt: next(), payload: payload as never }),
  ];
  const placed = event(OrderPlacedV1, {
    orderId,
    customerId: 'ada',
    total: money(2_000),
    lines: [{ productId, sku: 'SKU-1', name: 'Old name', quantity: 2, unitPrice: money(1_000), lineTotal: money(2_000) }],
  });
  const reserved = event(StockReservedV1, {
    orderId,
    reservationId: randomUUID(),
    lines: [{ sku: 'SKU-1', quantity: 2 }],
    expiresAt: new Date().toISOString(),
  });
  const renamed = event(ProductUpdatedV1, {
    productId,
    sku: 'SKU-1',
    name: 'New name',
    description: '',
    category: { slug: 'c', name: 'C' },
    price: money(1_100),
    imageUrl: null,
    changedFields: ['name', 'price'],
  });
  if (outcome === 'confirmed') {
    return [
      placed,
      reserved,
      event(PaymentAuthorizedV1, { orderId, paymentId: randomUUID(), amount: money(2_000) }),
      renamed,
      event(PaymentCapturedV1, { orderId, paymentId: randomUUID(), amount: money(2_000) }),
      event(ReservationCommittedV1, { orderId, reservationId: randomUUID() }),
      event(OrderConfirmedV1, { orderId, customerId: 'ada', total: money(2_000) }),
    ];
  }
  return [
    placed,
    reserved,
    event(PaymentFailedV1, { orderId, reason: 'declined', message: 'declined by issuer' }),
    event(ReservationReleasedV1, { orderId, reservationId: randomUUID(), reason: 'payment failed' }),
    event(OrderCancelledV1, { orderId, customerId: 'ada', reason: 'payment failed: declined by issuer' }),
  ];
}

/** The order history is the same whatever the delivery order and however often each event arrives. */
describe('order history projection', () => {
  let database: TestDatabase;
  let pool: Pool;

  const apply = (events: [EventDefinition, EventEnvelope][]) =>
    pgTransactionRunner(pool)(async (tx) => {
      for (const [definition, event] of events) await applyToOrderHistory(tx, LIVE_ORDER_HISTORY, definition, event);
    });
  const snapshot = async (orderId: string) => ({
    order: (
      await pool.query<Record<string, unknown> & { last_event_at: Date }>('SELECT * FROM "order_history" WHERE "order_id" = $1', [orderId])
    ).rows,
    timeline: (await pool.query('SELECT * FROM "order_history_timeline" WHERE "order_id" = $1 ORDER BY "event_id"', [orderId])).rows,
  });

  beforeAll(async () => {
    database = await createTestDatabase('order_history', join(__dirname, '..', 'prisma', 'migrations'));
    pool = new Pool({ connectionString: database.url });
  });

  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  it.each(['confirmed', 'cancelled'] as const)('ends a %s order with its status, payment, lines and timeline', async (outcome) => {
    const events = lifeOf(outcome);
    await apply(events);
    const orderId = (events[0]?.[1].payload as { orderId: string }).orderId;
    const { order, timeline } = await snapshot(orderId);
    expect(order[0]).toMatchObject({
      customer_id: 'ada',
      status: outcome,
      payment_status: outcome === 'confirmed' ? 'captured' : 'failed',
      total_minor: 2_000,
    });
    expect(timeline.map((entry: { type: string }) => entry.type).sort()).toEqual(
      events
        .filter(([definition]) => definition !== ProductUpdatedV1)
        .map(([definition]) => typeName(definition))
        .sort(),
    );
  });

  it('converges to the in-order result under any reordering, duplication and repeated reply (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('confirmed' as const, 'cancelled' as const),
        fc.infiniteStream(fc.nat()),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        async (outcome, randomness, duplicates, repeats) => {
          const events = lifeOf(outcome);
          const orderId = (events[0]?.[1].payload as { orderId: string }).orderId;
          await apply(events);
          const expected = await snapshot(orderId);
          await pool.query('DELETE FROM "order_history" WHERE "order_id" = $1', [orderId]);
          await pool.query('DELETE FROM "order_history_timeline" WHERE "order_id" = $1', [orderId]);

          // A reply of inventory or payment sent again (its first was lost): the same fact under a new event id, later.
          const replies = events.filter(([definition]) => REPLIES.has(definition));
          const repeated = repeats.map((index): [EventDefinition, EventEnvelope] => {
            const [definition, event] = replies[index % replies.length] as [EventDefinition, EventEnvelope];
            return [
              definition,
              createEvent(definition, { source: 'test', aggregateId: event.aggregateId, occurredAt: next(), payload: event.payload }),
            ];
          });
          const delivered = [
            ...events,
            ...repeated,
            ...duplicates.map((index) => events[index % events.length] as [EventDefinition, EventEnvelope]),
          ];
          const iterator = randomness[Symbol.iterator]();
          const shuffled = delivered
            .map((entry) => ({ entry, key: iterator.next().value as number }))
            .sort((a, b) => a.key - b.key)
            .map(({ entry }) => entry);
          // Each delivery in its own transaction, as consumers apply them.
          for (const entry of shuffled) await apply([entry]);

          const actual = await snapshot(orderId);
          // last_event_at tells how recent the newest event applied is: a later repeat moves it on.
          expect(actual.order[0]?.last_event_at.getTime()).toBeGreaterThanOrEqual(expected.order[0]?.last_event_at.getTime() ?? 0);
          expect(withoutLastEvent(actual)).toEqual(withoutLastEvent(expected));
        },
      ),
      { numRuns: 40 },
    );
  });
});

const REPLIES = new Set<EventDefinition>([
  StockReservedV1,
  ReservationCommittedV1,
  ReservationReleasedV1,
  PaymentAuthorizedV1,
  PaymentCapturedV1,
  PaymentFailedV1,
]);

function withoutLastEvent(snapshot: { order: Record<string, unknown>[]; timeline: unknown[] }) {
  return { ...snapshot, order: snapshot.order.map(({ last_event_at: _ignored, ...rest }) => rest) };
}

function typeName(definition: EventDefinition): string {
  return (
    {
      [OrderPlacedV1.subject]: 'placed',
      [StockReservedV1.subject]: 'stock_reserved',
      [PaymentAuthorizedV1.subject]: 'payment_authorized',
      [PaymentCapturedV1.subject]: 'payment_captured',
      [PaymentFailedV1.subject]: 'payment_failed',
      [ReservationCommittedV1.subject]: 'stock_committed',
      [ReservationReleasedV1.subject]: 'stock_released',
      [OrderConfirmedV1.subject]: 'confirmed',
      [OrderCancelledV1.subject]: 'cancelled',
    }[definition.subject] ?? definition.subject
  );
}
