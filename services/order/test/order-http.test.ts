import { randomUUID } from 'node:crypto';
import { OrderCancelledV1, orderHistoryPageSchema, OrderPlacedV1, orderSchema } from '@storefront/contracts';
import { waitFor } from '@storefront/testing';
import { ADDRESS, startOrder, type OrderUnderTest } from './order-app';

/** order's REST API in-process; placing with real prices is the end-to-end tests' (order-saga.e2e). */
describe('order REST API', () => {
  let order: OrderUnderTest;
  const customer = () => ({ subject: `c-${randomUUID().slice(0, 8)}` });
  const body = { paymentToken: 'tok_visa', shippingAddress: ADDRESS, lines: [{ productId: randomUUID(), quantity: 1 }] };

  beforeAll(async () => {
    order = await startOrder();
  });

  afterAll(async () => {
    await order?.close();
  });

  it('answers an order to its customer and to an admin, and 404 to another customer', async () => {
    const ada = customer();
    const placed = await order.placed(ada.subject);

    const own = await order.request('GET', `/orders/${placed.id}`, undefined, undefined, ada);
    expect(own.status).toBe(200);
    expect(orderSchema.parse(own.body)).toMatchObject({
      id: placed.id,
      customerId: ada.subject,
      status: 'placed',
      total: { amountMinor: 2_500, currency: 'USD' },
    });
    expect((await order.request('GET', `/orders/${placed.id}`)).status).toBe(200);
    await expect(order.request('GET', `/orders/${placed.id}`, undefined, undefined, customer())).resolves.toMatchObject({ status: 404 });
  });

  it('lists a customer’s orders from the history once order.placed reached it', async () => {
    const ada = customer();
    const placed = await order.placed(ada.subject);
    const listed = await waitFor(
      async () => {
        const answer = await order.request('GET', '/orders', undefined, undefined, ada);
        const page = orderHistoryPageSchema.parse(answer.body);
        return page.items.some((item) => item.id === placed.id) ? page : undefined;
      },
      { timeoutMs: 20_000, what: 'the order in the history' },
    );
    expect(listed.items.map((item) => item.id)).toEqual([placed.id]);
    expect(await order.ordersStream()).toContain(OrderPlacedV1.subject);
  });

  it('cancels an order of its customer before payment, announcing it', async () => {
    const ada = customer();
    const placed = await order.placed(ada.subject);
    const cancelled = await order.request('POST', `/orders/${placed.id}/cancel`, undefined, undefined, ada);
    expect(cancelled).toMatchObject({ status: 200, body: { id: placed.id, status: 'cancelled' } });
    await waitFor(async () => (await order.service.published(OrderCancelledV1)).some((event) => event.payload.orderId === placed.id), {
      timeoutMs: 15_000,
      what: 'order.cancelled on the stream',
    });
  });

  it.each([
    ['no Idempotency-Key', {}, body, 'Idempotency-Key'],
    ['no lines', { 'idempotency-key': randomUUID() }, { ...body, lines: [] }, 'lines'],
    ['an unknown field', { 'idempotency-key': randomUUID() }, { ...body, coupon: 'FREE' }, 'coupon'],
  ])('refuses an order with %s: 400 problem+json naming it, nothing stored', async (_case, headers, payload, named) => {
    const before = await order.prisma.order.count();
    const response = await fetch(`${order.service.httpUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await order.service.token(customer())}`, ...headers },
      body: JSON.stringify(payload),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.text()).toContain(named);
    await expect(order.prisma.order.count()).resolves.toBe(before);
  });

  it('answers 503 problem+json, not 500, when the catalog cannot price the order, and stores nothing', async () => {
    const before = await order.prisma.order.count();
    const response = await fetch(`${order.service.httpUrl}/orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await order.service.token(customer())}`,
        'idempotency-key': randomUUID(),
      },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    await expect(order.prisma.order.count()).resolves.toBe(before);
  });

  it('asks for a token (401) and a customer role to place (403)', async () => {
    await expect(order.request('GET', '/orders', undefined, undefined, null)).resolves.toMatchObject({ status: 401 });
    await expect(order.request('POST', '/orders', body)).resolves.toMatchObject({ status: 403 });
  });
});
