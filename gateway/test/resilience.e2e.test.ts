import { createServer, type Server } from 'node:http';
import { startTestStack, type TestStack } from '@storefront/devstack/testing';
import { waitFor } from '@storefront/testing';

const THRESHOLD = 4;
const RESET_MS = 1_500;
const address = { name: 'Ada Lovelace', line1: '12 Analytical St', city: 'London', postalCode: 'N1 9GU', country: 'GB' };

/** The gateway's circuit breaker and retries against real downstream processes that go away. */
describe('gateway resilience end to end', () => {
  let stack: TestStack;

  const call = async (path: string, init: RequestInit = {}) => {
    const started = Date.now();
    const response = await stack.api(path, init, init.method === 'POST' ? { subject: 'customer-1' } : undefined);
    const text = await response.text();
    return {
      status: response.status,
      ms: Date.now() - started,
      type: response.headers.get('content-type') ?? '',
      retryAfter: response.headers.get('retry-after'),
      body: (text ? JSON.parse(text) : undefined) as { code?: string } | undefined,
    };
  };

  const circuitState = async (downstream: string): Promise<string | undefined> => {
    const metrics = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
    return new RegExp(`^storefront_circuit_breaker_state\\{downstream="${downstream}"\\} (\\d)$`, 'm').exec(metrics)?.[1];
  };

  const stop = async (name: string) => {
    const child = stack.service(name).process;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };

  beforeAll(async () => {
    stack = await startTestStack({
      env: { gateway: { CIRCUIT_BREAKER_THRESHOLD: String(THRESHOLD), CIRCUIT_BREAKER_RESET_MS: String(RESET_MS) } },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('opens the circuit to a stopped catalog, answers at once with Retry-After, and closes when the catalog is back', async () => {
    await expect(call('/api/categories')).resolves.toMatchObject({ status: 200 });
    expect(await circuitState('catalog')).toBe('0');
    await stop('catalog');

    // Each failed attempt counts (a read is tried 1 + 2 times), so the circuit opens within THRESHOLD requests.
    const responses = [];
    for (let i = 0; i < THRESHOLD; i++) {
      const response = await call('/api/categories');
      responses.push(response);
      if (response.body?.code === 'DOWNSTREAM.CIRCUIT_OPEN') break;
    }
    const open = responses.pop();
    expect(responses.length).toBeGreaterThan(0);
    for (const failed of responses) expect(failed).toMatchObject({ status: 503, body: { code: 'DOWNSTREAM.UNAVAILABLE' } });
    expect(open).toMatchObject({ status: 503, body: { code: 'DOWNSTREAM.CIRCUIT_OPEN', status: 503 } });
    expect(open?.type).toContain('application/problem+json');
    expect(open?.ms).toBeLessThan(500);
    expect(Number(open?.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(open?.retryAfter)).toBeLessThanOrEqual(Math.ceil(RESET_MS / 1_000));
    expect(await circuitState('catalog')).toBe('2');

    await stack.restart('catalog');
    await new Promise((resolve) => setTimeout(resolve, RESET_MS));
    await waitFor(async () => (await call('/api/categories')).status === 200, { timeoutMs: 10_000, what: 'the catalog again' });
    expect(await circuitState('catalog')).toBe('0');
  });

  it('sends POST /api/orders to a failing order service exactly once, and retries a GET twice', async () => {
    const orderPort = stack.service('order').ports.http;
    await stop('order');
    // In the order service's place: counts requests and drops each connection, as a crash would.
    const seen: string[] = [];
    const dropping: Server = createServer((request) => {
      seen.push(`${request.method} ${request.url}`);
      request.socket.destroy();
    });
    await new Promise<void>((resolve) => dropping.listen(orderPort, '127.0.0.1', resolve));
    try {
      const placed = await call('/api/orders', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'resilience-dropped-1' },
        body: JSON.stringify({
          customerId: 'customer-1',
          paymentToken: 'tok_visa',
          shippingAddress: address,
          lines: [{ productId: '00000000-0000-4000-8000-000000000000', quantity: 1 }],
        }),
      });
      expect(placed).toMatchObject({ status: 503, body: { code: 'DOWNSTREAM.UNAVAILABLE' } });
      expect(seen).toEqual(['POST /orders']);

      seen.length = 0;
      const read = await call('/api/orders/00000000-0000-4000-8000-000000000000');
      expect(read).toMatchObject({ status: 503 });
      expect(seen).toEqual(Array(3).fill('GET /orders/00000000-0000-4000-8000-000000000000'));
    } finally {
      await new Promise((resolve) => dropping.close(resolve));
    }
  });
});
