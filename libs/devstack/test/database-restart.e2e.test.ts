import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { DEADLETTER_STREAM, type OrderDto, type ProductPageDto } from '@storefront/contracts';
import { SERVICES } from '@storefront/devstack';
import { startTestStack, type TestStack } from '@storefront/devstack/testing';
import { connectNats, Namespace } from '@storefront/messaging';
import { OwnPostgres, waitFor } from '@storefront/testing';

const FINAL = new Set(['confirmed', 'cancelled', 'rejected']);
const OUTAGE_MS = 6_000;
const address = { name: 'Ada Lovelace', line1: '12 Analytical St', city: 'London', postalCode: 'N1 9GU', country: 'GB' };

/**
 * PostgreSQL restarts (fast shutdown: every session ends with 57P01) while orders are placed and
 * products read. The stack's PostgreSQL is one of the test's own, never the shared server.
 */
describe('a PostgreSQL restart under load', () => {
  let postgres: OwnPostgres;
  let stack: TestStack;
  let products: { id: string }[];
  const services = SERVICES.filter((service) => service.database).map((service) => service.name);

  const ready = async (name: string) => (await fetch(`${stack.service(name).url}/health/ready`)).status;
  const place = async (productId: string) => {
    const response = await stack.api(
      '/api/orders',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({
          customerId: 'customer-1',
          paymentToken: 'tok_visa',
          shippingAddress: address,
          lines: [{ productId, quantity: 1 }],
        }),
      },
      { subject: 'customer-1' },
    );
    return { status: response.status, body: (await response.json()) as OrderDto };
  };

  beforeAll(async () => {
    postgres = await OwnPostgres.start();
    // Two deliveries: an outage that counted as failures would dead-letter events at once.
    const consumers = { CONSUMER_MAX_DELIVER: '2', CONSUMER_ACK_WAIT_MS: '2000' };
    stack = await startTestStack({
      databaseUrl: postgres.url,
      env: Object.fromEntries(services.map((name) => [name, consumers])),
    });
    const page = (await (await stack.api('/api/products?limit=20')).json()) as ProductPageDto;
    products = page.items;
  }, 180_000);

  afterAll(async () => {
    await postgres?.start();
    await stack?.stop();
    await postgres?.destroy();
  });

  it('keeps every service running, answers 503 with Retry-After meanwhile, and ends every accepted order', async () => {
    let crash: string | undefined;
    void stack.crashed.then(({ name, code, signal }) => {
      crash = `${name} exited (${code ?? signal}):\n${stack.service(name).recentOutput.slice(-20).join('\n')}`;
    });
    const accepted: string[] = [];
    const statuses: number[] = [];
    let placing = true;
    const traffic = (async () => {
      for (let index = 0; placing; index++) {
        const result = await place(products[index % products.length]?.id as string).catch(() => undefined);
        if (result) statuses.push(result.status);
        if (result?.status === 201) accepted.push(result.body.id);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();
    try {
      await waitFor(() => accepted.length >= 3, { timeoutMs: 30_000, what: 'orders before the restart' });

      await postgres.stop();
      const outageStarted = Date.now();
      const products503 = await waitFor(
        async () => {
          const response = await stack.api('/api/products');
          return response.status === 503 ? response : undefined;
        },
        { timeoutMs: OUTAGE_MS, what: 'GET /api/products to answer 503' },
      ).catch((error: unknown) => error as Error);
      const readiness = await Promise.all(services.map(async (name) => [name, await ready(name).catch(() => 0)] as const));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - outageStarted))));
      await postgres.start();

      expect(crash).toBeUndefined();
      expect(products503).toBeInstanceOf(Response);
      expect((products503 as Response).headers.get('content-type')).toContain('application/problem+json');
      expect(Number((products503 as Response).headers.get('retry-after'))).toBeGreaterThan(0);
      expect(readiness).toEqual(services.map((name) => [name, 503]));

      for (const name of services) await waitFor(async () => (await ready(name)) === 200, { timeoutMs: 30_000, what: `${name} ready` });
      await waitFor(async () => (await stack.api('/api/products')).status === 200, { timeoutMs: 15_000, what: 'products again' });
      const before = accepted.length;
      await waitFor(() => accepted.length > before, { timeoutMs: 30_000, what: 'an order after the restart' });
    } finally {
      placing = false;
      await traffic;
    }

    expect(crash).toBeUndefined();
    expect(statuses.filter((status) => status >= 500 && status !== 503)).toEqual([]);
    for (const id of accepted) {
      await waitFor(
        async () => {
          const order = (await (await stack.api(`/api/orders/${id}`)).json()) as OrderDto;
          return FINAL.has(order.status);
        },
        { timeoutMs: 60_000, what: `order ${id} to end` },
      );
    }
    const nc = await connectNats(stack.nats.url, 'database-restart-test');
    try {
      const jsm = await jetstreamManager(nc);
      const deadLetters = await jsm.streams.info(new Namespace(stack.messagingNamespace).stream(DEADLETTER_STREAM));
      expect(deadLetters.state.messages).toBe(0);
    } finally {
      await nc.close();
    }
  }, 240_000);
});
