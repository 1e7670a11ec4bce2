import { randomUUID } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Client } from 'pg';
import {
  CapturePaymentV1,
  DEADLETTER_STREAM,
  PaymentCapturedV1,
  PAYMENTS_STREAM,
  type OrderDto,
  type PaymentDto,
  type ProductPageDto,
  type ProviderHoldsDto,
  type StockLevelDto,
} from '@storefront/contracts';
import { SERVICES } from '@storefront/devstack';
import { startTestStack, TEST_ADMIN, type TestStack } from '@storefront/devstack/testing';
import { connectNats, Namespace } from '@storefront/messaging';
import { waitFor } from '@storefront/testing';

const INITIAL_STOCK = 5;
/** Short enough that a slow payment outlives the reservation, long enough for a quick one on a busy machine. */
const RESERVATION_TTL_SECONDS = 15;
const address = { name: 'Ada Lovelace', line1: '12 Analytical St', city: 'London', postalCode: 'N1 9GU', country: 'GB' };

/**
 * The saga when replies go missing or come too late, across the real processes: a lost
 * payment.captured is answered again when the saga asks again, and a stock commit that comes after
 * the reservation expired voids the payment instead of charging for units that are back on sale.
 */
describe('order saga replies', () => {
  let stack: TestStack;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let namespace: Namespace;
  let products: { id: string; sku: string; price: number }[];

  const api = (path: string, init?: RequestInit, as?: { subject: string }) => stack.api(path, init, as);
  const asAdmin = async (url: string) => fetch(url, { headers: { authorization: `Bearer ${await stack.token(TEST_ADMIN)}` } });
  const order = async (id: string) => (await (await api(`/api/orders/${id}`)).json()) as OrderDto;
  const payment = async (orderId: string) =>
    (await (await asAdmin(`${stack.service('payment').url}/payments/${orderId}`)).json()) as PaymentDto;
  const stock = async (sku: string) => (await (await fetch(`${stack.service('inventory').url}/stock/${sku}`)).json()) as StockLevelDto;
  const heldAtProvider = async (orderId: string) =>
    ((await (await asAdmin(`${stack.service('payment').url}/admin/provider/holds?status=held`)).json()) as ProviderHoldsDto).items.filter(
      (hold) => hold.reference === orderId,
    );
  const setProvider = (latencyMs: number) =>
    api('/api/admin/payment-provider', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs, failureRate: 0, declineAmountOverMinor: null }),
    });
  /** As a client with back-off does: a 503 (a dependency busy on a loaded machine) is retried with the same key. */
  const place = async (product: { id: string }) => {
    const key = randomUUID();
    const response = await waitFor(
      async () => {
        const attempt = await api(
          '/api/orders',
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': key },
            body: JSON.stringify({ paymentToken: 'tok_visa', shippingAddress: address, lines: [{ productId: product.id, quantity: 1 }] }),
          },
          { subject: 'replies-customer' },
        );
        return attempt.status === 503 ? undefined : attempt;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'the order to be accepted' },
    );
    expect([response.status, response.status === 201 ? '' : await response.text()]).toEqual([201, '']);
    return (await response.json()) as OrderDto;
  };
  /** The newest message on a subject of the PAYMENTS stream, if it is about `orderId`. */
  const lastPaymentMessage = async (subject: string, orderId: string) => {
    const message = await jsm.streams
      .getMessage(namespace.stream(PAYMENTS_STREAM), { last_by_subj: namespace.subject(subject) })
      .catch(() => null);
    return message?.json<{ payload: { orderId: string } }>().payload.orderId === orderId ? message : undefined;
  };
  const deadLetters = async () => (await jsm.streams.info(namespace.stream(DEADLETTER_STREAM))).state.messages;
  /** When the saga will next act on the order: for a cancelled one, while its void is unconfirmed. */
  const stepDeadline = async (orderId: string) => {
    const client = new Client({ connectionString: stack.service('order').databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ step_deadline_at: Date | null }>('SELECT "step_deadline_at" FROM "orders" WHERE "id" = $1', [
        orderId,
      ]);
      return rows[0]?.step_deadline_at ?? null;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    const fast = { CONSUMER_ACK_WAIT_MS: '2000' };
    stack = await startTestStack({
      env: Object.fromEntries(
        SERVICES.map((service) => [
          service.name,
          {
            ...fast,
            ...(service.name === 'inventory'
              ? {
                  INITIAL_STOCK: String(INITIAL_STOCK),
                  RESERVATION_TTL_SECONDS: String(RESERVATION_TTL_SECONDS),
                  RESERVATION_SWEEP_INTERVAL_MS: '200',
                }
              : {}),
            ...(service.name === 'order' ? { CAPTURE_TIMEOUT_MS: '3000', SAGA_SWEEP_INTERVAL_MS: '200' } : {}),
          },
        ]),
      ),
    });
    namespace = new Namespace(stack.messagingNamespace);
    nc = await connectNats(stack.nats.url, 'saga-replies-test');
    jsm = await jetstreamManager(nc);
    products = ((await (await api('/api/products?limit=100')).json()) as ProductPageDto).items.map((item) => ({
      id: item.id,
      sku: item.sku,
      price: item.price.amountMinor,
    }));
    for (const { sku } of products.slice(0, 2)) {
      await waitFor(async () => (await fetch(`${stack.service('inventory').url}/stock/${sku}`)).ok, { timeoutMs: 20_000 });
    }
  }, 120_000);

  afterAll(async () => {
    await nc?.close();
    await stack?.stop();
  });

  it('confirms an order whose payment.captured reply was lost: the saga asks again and payment answers again', async () => {
    const product = products[0] as { id: string; sku: string };
    // Slow enough to stop the order service while the capture runs, fast enough to beat the reservation's expiry.
    await setProvider(3_000);
    try {
      const placed = await place(product);
      await waitFor(() => lastPaymentMessage(CapturePaymentV1.subject, placed.id), {
        timeoutMs: 30_000,
        intervalMs: 50,
        what: 'the capture command',
      });
      stack.service('order').process.kill('SIGKILL');

      // Payment captures while the order service is down; its reply never reaches the saga.
      const captured = await waitFor(() => lastPaymentMessage(PaymentCapturedV1.subject, placed.id), {
        timeoutMs: 30_000,
        what: 'payment.captured',
      });
      await jsm.streams.deleteMessage(namespace.stream(PAYMENTS_STREAM), captured.seq);
      await setProvider(0);
      await stack.restart('order');

      const final = await waitFor(
        async () => {
          const current = await order(placed.id);
          return current.status === 'confirmed' ? current : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 200, what: `order ${placed.id} confirmed` },
      );
      expect(final.statusReason).toBeNull();
      await expect(payment(placed.id)).resolves.toMatchObject({ status: 'captured', capturedAmountMinor: placed.total.amountMinor });
      const again = await lastPaymentMessage(PaymentCapturedV1.subject, placed.id);
      expect(again?.seq).toBeGreaterThan(captured.seq);
      await waitFor(async () => (await stock(product.sku)).sold === 1, { timeoutMs: 15_000, what: 'one unit sold' });
      expect(await stock(product.sku)).toMatchObject({ available: INITIAL_STOCK - 1, reserved: 0, sold: 1 });
      expect(await deadLetters()).toBe(0);
    } finally {
      await setProvider(0);
    }
  }, 150_000);

  it('voids the payment and cancels when the stock commit comes after the reservation expired', async () => {
    const product = products[1] as { id: string; sku: string };
    // The authorization outlives the reservation: inventory releases it before the saga can commit.
    await setProvider((RESERVATION_TTL_SECONDS + 2) * 1_000);
    try {
      const placed = await place(product);
      // The provider call has begun with that latency once the intent is stored; the void may be quick.
      await waitFor(async () => (await payment(placed.id)).status === 'pending', {
        timeoutMs: 30_000,
        intervalMs: 50,
        what: 'the authorization under way',
      });
      await setProvider(0);
      const final = await waitFor(
        async () => {
          const current = await order(placed.id);
          return ['confirmed', 'cancelled', 'rejected'].includes(current.status) ? current : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 200, what: `order ${placed.id} to end` },
      );

      expect(final.status).toBe('cancelled');
      expect(final.statusReason).toContain('expired');
      const voided = await waitFor(
        async () => {
          const current = await payment(placed.id);
          return current.status === 'voided' ? current : undefined;
        },
        { timeoutMs: 30_000, what: 'the authorization voided' },
      );
      expect(voided.capturedAmountMinor).toBe(0);
      await expect(heldAtProvider(placed.id)).resolves.toEqual([]);
      // payment.voided reached the saga, which stops sending the void.
      await waitFor(async () => (await stepDeadline(placed.id)) === null, { timeoutMs: 30_000, what: 'the void confirmed to the saga' });
      // Sold = Σ confirmed: the units went back on sale and stay there.
      expect(await stock(product.sku)).toMatchObject({ available: INITIAL_STOCK, reserved: 0, sold: 0 });
      expect(await deadLetters()).toBe(0);
    } finally {
      await setProvider(0);
    }
  }, 120_000);
});
