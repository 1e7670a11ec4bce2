import { randomUUID } from 'node:crypto';
import { PaymentAuthorizedV1, StockReservedV1 } from '@storefront/contracts';
import { createEvent } from '@storefront/messaging';
import { SagaRepliesConsumer } from '../src/interface/messaging/saga-replies.consumer';
import { startOrder, type OrderUnderTest } from './order-app';

/**
 * The order history is written in the transaction that changes the order (no delivery back into
 * the same database): it is current the moment the order is, and nothing of a step that fails is
 * in it. That the history rebuilt from the streams equals it: order-saga.e2e.
 */
describe('order history in the saga’s transaction', () => {
  let order: OrderUnderTest;
  let replies: SagaRepliesConsumer;

  const history = async (orderId: string) => {
    const [row] = await order.prisma.$queryRawUnsafe<{ status: string; payment_status: string | null }[]>(
      'SELECT "status", "payment_status" FROM "order_history" WHERE "order_id" = $1::uuid',
      orderId,
    );
    const timeline = await order.prisma.$queryRawUnsafe<{ type: string }[]>(
      'SELECT "type" FROM "order_history_timeline" WHERE "order_id" = $1::uuid ORDER BY "occurred_at", "event_id"',
      orderId,
    );
    return { row, timeline: timeline.map((entry) => entry.type) };
  };
  const reply = <D extends typeof StockReservedV1 | typeof PaymentAuthorizedV1>(definition: D, payload: unknown) =>
    createEvent(definition, { source: 'test', aggregateId: (payload as { orderId: string }).orderId, payload: payload as never });

  beforeAll(async () => {
    // No inventory or payment runs here: the only replies are the test's own.
    order = await startOrder();
    replies = order.app.get(SagaRepliesConsumer);
  });

  afterAll(async () => {
    await order?.close();
  });

  it('has a placed order in the history as soon as it is stored', async () => {
    const placed = await order.placed('ada');
    await expect(history(placed.id)).resolves.toEqual({ row: { status: 'placed', payment_status: null }, timeline: ['placed'] });
  });

  it('has a reply in the history with the order’s step it caused, in the same commit', async () => {
    const placed = await order.placed('ada');
    const reserved = reply(StockReservedV1, {
      orderId: placed.id,
      reservationId: randomUUID(),
      lines: [{ sku: 'SKU-0001', quantity: 2 }],
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    await order.prisma.$transaction((tx) => replies.onStockReserved(reserved, tx));
    const { status } = await order.prisma.order.findUniqueOrThrow({ where: { id: placed.id }, select: { status: true } });
    expect(status).toBe('stock_reserved');
    await expect(history(placed.id)).resolves.toEqual({
      row: { status: 'stock_reserved', payment_status: null },
      timeline: ['placed', 'stock_reserved'],
    });
  });

  it('keeps nothing of a reply in the history when its step fails', async () => {
    const placed = await order.placed('ada');
    // Authorized before the stock was reserved: the order refuses the transition, the step rolls back.
    const authorized = reply(PaymentAuthorizedV1, {
      orderId: placed.id,
      paymentId: randomUUID(),
      amount: { amountMinor: 2_500, currency: 'USD' },
    });
    await expect(order.prisma.$transaction((tx) => replies.onPaymentAuthorized(authorized, tx))).rejects.toMatchObject({
      code: 'ORDER.ILLEGAL_TRANSITION',
    });
    await expect(history(placed.id)).resolves.toEqual({ row: { status: 'placed', payment_status: null }, timeline: ['placed'] });
  });
});
