import { randomUUID } from 'node:crypto';
import type { OrderDetailsDto, OrderDto, OrderHistoryPageDto, ProductPageDto } from '@storefront/contracts';
import { DevIssuer } from '@storefront/devstack';
import { startTestStack, type TestStack } from '@storefront/devstack/testing';
import { waitFor } from '@storefront/testing';
import { databaseDigest, settledDatabaseDigest } from './database-digest';

const address = { name: 'Ada Lovelace', line1: '12 Analytical St', city: 'London', postalCode: 'N1 9GU', country: 'GB' };
const UNKNOWN_ORDER = '00000000-0000-4000-8000-000000000000';

/**
 * The gateway as the public edge, against the real services: who may do what (JWT), composing an
 * order's details, and how the shop degrades when a service is down.
 */
describe('gateway edge end to end', () => {
  let stack: TestStack;
  let products: ProductPageDto['items'];
  let alicesOrder: OrderDto;

  const json = async <T = { code?: string }>(response: Response) => {
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      headers: response.headers,
      body: (text ? JSON.parse(text) : undefined) as T,
    };
  };
  const alice = { subject: 'alice' };
  const bob = { subject: 'bob' };
  const placeAs = (as: { subject: string } | null, body: object, headers: Record<string, string> = {}) =>
    stack.api(
      '/api/orders',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...headers },
        body: JSON.stringify(body),
      },
      as,
    );
  const orderBody = () => ({ paymentToken: 'tok_visa', shippingAddress: address, lines: [{ productId: products[0]?.id, quantity: 1 }] });

  /** Everything a refused request must leave alone, in every service's database. */
  const snapshot = () => databaseDigest(stack);
  /** The same, once earlier sagas have finished their last steps. */
  const settledSnapshot = () => settledDatabaseDigest(stack);
  /** Waits until the order is final and its saga has finished (the history hears of the capture after the confirmation). */
  const settled = (id: string) =>
    waitFor(
      async () => {
        const { body } = await json<OrderDto>(await stack.api(`/api/orders/${id}`));
        if (!['confirmed', 'cancelled', 'rejected'].includes(body.status)) return undefined;
        if (body.status !== 'confirmed') return body;
        const { body: timeline } = await json<{ entries?: { type: string }[] }>(await stack.api(`/api/orders/${id}/timeline`));
        return timeline.entries?.some((entry) => entry.type === 'payment_captured') ? body : undefined;
      },
      { timeoutMs: 30_000, what: `order ${id} to end` },
    );

  beforeAll(async () => {
    // Ordering checks inventory and payment on every order, so an outage shows at once.
    stack = await startTestStack({ env: { gateway: { ORDERING_READINESS_TTL_MS: '0' } } });
    products = (await json<ProductPageDto>(await stack.api('/api/products?limit=3', {}, null))).body.items;
    await waitFor(async () => (await fetch(`${stack.service('inventory').url}/stock/${products[0]?.sku}`)).ok, { timeoutMs: 20_000 });
    const placed = await json<OrderDto>(await placeAs(alice, orderBody()));
    expect(placed.status).toBe(201);
    alicesOrder = await settled(placed.body.id);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  describe('authentication and authorization', () => {
    it('answers GET /api/orders without a token with 401 problem+json and a Bearer challenge', async () => {
      const response = await json(await fetch(`${stack.gatewayUrl}/api/orders`));
      expect(response).toMatchObject({ status: 401, body: { status: 401, code: 'AUTH.TOKEN_MISSING' } });
      expect(response.type).toContain('application/problem+json');
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    });

    it.each<[string, () => Promise<string | undefined>, number, string]>([
      ['no token', () => Promise.resolve(undefined), 401, 'AUTH.TOKEN_MISSING'],
      ['a malformed header', () => Promise.resolve('Basic YWxpY2U6c2VjcmV0'), 401, 'AUTH.TOKEN_INVALID'],
      [
        'a token signed by another key',
        async () => `Bearer ${await (await DevIssuer.ephemeral()).token(alice)}`,
        401,
        'AUTH.TOKEN_INVALID',
      ],
      ['an expired token', async () => `Bearer ${await stack.token({ ...alice, expiresInSeconds: -120 })}`, 401, 'AUTH.TOKEN_EXPIRED'],
      [
        'a token with its payload altered',
        async () => {
          const [header, , signature] = (await stack.token(alice)).split('.');
          const forged = Buffer.from(
            JSON.stringify({ sub: 'alice', roles: ['admin'], iss: 'storefront-dev', aud: 'storefront', exp: 4102444800 }),
          ).toString('base64url');
          return `Bearer ${header}.${forged}.${signature}`;
        },
        401,
        'AUTH.TOKEN_INVALID',
      ],
      [
        'an admin token (orders are placed by customers)',
        async () => `Bearer ${await stack.token({ subject: 'ops', roles: ['admin'] })}`,
        403,
        'AUTH.FORBIDDEN',
      ],
      ['a token for no role', async () => `Bearer ${await stack.token({ subject: 'alice', roles: [] })}`, 403, 'AUTH.FORBIDDEN'],
    ])('refuses to place an order with %s, and nothing changes', async (_case, authorization, status, code) => {
      const before = await settledSnapshot();
      const header = await authorization();
      const response = await json(
        await fetch(`${stack.gatewayUrl}/api/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(header ? { authorization: header } : {}) },
          body: JSON.stringify(orderBody()),
        }),
      );
      expect(response).toMatchObject({ status, body: { status, code } });
      expect(response.type).toContain('application/problem+json');
      expect(await snapshot()).toEqual(before);
    });

    it('needs the admin role for product changes, restocks and payment provider settings', async () => {
      const before = await settledSnapshot();
      const customerCalls = [
        stack.api(
          '/api/products',
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ sku: 'EDGE-0001', name: 'Nope', category: 'books', price: { amountMinor: 1, currency: 'USD' } }),
          },
          alice,
        ),
        stack.api(
          `/api/products/${products[0]?.id}`,
          { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Renamed' }) },
          alice,
        ),
        stack.api(
          `/api/admin/stock/${products[0]?.sku}/restock`,
          { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ quantity: 5 }) },
          alice,
        ),
        stack.api(
          '/api/admin/payment-provider',
          {
            method: 'PUT',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ latencyMs: 0, failureRate: 1, declineAmountOverMinor: null }),
          },
          alice,
        ),
        stack.api('/api/admin/payment-provider', {}, alice),
      ];
      for (const response of await Promise.all(customerCalls)) {
        await expect(json(response)).resolves.toMatchObject({ status: 403, body: { code: 'AUTH.FORBIDDEN' } });
      }
      const anonymous = await stack.api('/api/admin/payment-provider', {}, null);
      expect(anonymous.status).toBe(401);
      expect(await snapshot()).toEqual(before);
      await expect(json(await stack.api('/api/admin/payment-provider'))).resolves.toMatchObject({ status: 200, body: { failureRate: 0 } });
    });

    it('hides another customer’s order: 404 on every order route, 403 for their history, nothing changes', async () => {
      const before = await settledSnapshot();
      for (const path of [
        `/api/orders/${alicesOrder.id}`,
        `/api/orders/${alicesOrder.id}/timeline`,
        `/api/orders/${alicesOrder.id}/details`,
      ]) {
        await expect(json(await stack.api(path, {}, bob))).resolves.toMatchObject({ status: 404, body: { code: 'ORDER.NOT_FOUND' } });
      }
      await expect(json(await stack.api(`/api/orders/${alicesOrder.id}/cancel`, { method: 'POST' }, bob))).resolves.toMatchObject({
        status: 404,
      });
      await expect(json(await stack.api('/api/orders?customerId=alice', {}, bob))).resolves.toMatchObject({
        status: 403,
        body: { code: 'ORDER.ACCESS_DENIED' },
      });
      await expect(json(await placeAs(bob, { ...orderBody(), customerId: 'alice' }))).resolves.toMatchObject({
        status: 403,
        body: { code: 'ORDER.ACCESS_DENIED' },
      });
      expect(await snapshot()).toEqual(before);
    });

    it('lists only the caller’s own orders; an admin sees everyone’s', async () => {
      const placed = await json<OrderDto>(await placeAs(bob, orderBody()));
      expect(placed).toMatchObject({ status: 201, body: { customerId: 'bob' } });
      expect(placed.headers.get('location')).toBe(`/api/orders/${placed.body.id}`);
      await settled(placed.body.id);
      const page = async (as?: { subject: string }) =>
        waitFor(async () => {
          const { body } = await json<OrderHistoryPageDto>(await stack.api('/api/orders?limit=100', {}, as));
          return body.items.length > 0 ? body.items : undefined;
        });
      expect(new Set((await page(bob)).map((item) => item.customerId))).toEqual(new Set(['bob']));
      expect(new Set((await page(alice)).map((item) => item.customerId))).toEqual(new Set(['alice']));
      await waitFor(async () => new Set((await page()).map((item) => item.customerId)).size === 2, {
        what: 'both customers in the admin view',
      });
    });
  });

  describe('request limits', () => {
    it('refuses a body over BODY_LIMIT_BYTES with 413 problem+json before reading it, and nothing changes', async () => {
      const before = await settledSnapshot();
      const body = JSON.stringify({ ...orderBody(), shippingAddress: { ...address, name: 'x'.repeat(70 * 1024) } });
      const response = await json(await placeAs(alice, JSON.parse(body) as object));
      expect(response).toMatchObject({ status: 413, body: { status: 413 } });
      expect(response.type).toContain('application/problem+json');
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('API composition', () => {
    it('returns an order with each line’s full product and its timeline', async () => {
      const { status, body } = await json<OrderDetailsDto>(await stack.api(`/api/orders/${alicesOrder.id}/details`, {}, alice));
      expect(status).toBe(200);
      expect(body).toMatchObject({ id: alicesOrder.id, customerId: 'alice', status: 'confirmed', unavailable: [] });
      expect(body.lines).toHaveLength(1);
      expect(body.lines[0]?.product).toMatchObject({
        id: products[0]?.id,
        sku: products[0]?.sku,
        name: products[0]?.name,
        category: expect.any(Object),
      });
      expect(body.timeline?.map((entry) => entry.type)).toEqual(expect.arrayContaining(['placed', 'confirmed']));
      await expect(json(await stack.api(`/api/orders/${UNKNOWN_ORDER}/details`, {}, alice))).resolves.toMatchObject({ status: 404 });
      await expect(json(await stack.api('/api/orders/not-a-uuid/details', {}, alice))).resolves.toMatchObject({ status: 400 });
    });
  });

  describe('graceful degradation', () => {
    const stop = async (name: string) => {
      const child = stack.service(name).process;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    };

    it.each(['inventory', 'payment'])('keeps browsing but refuses new orders with 503 + Retry-After while %s is down', async (name) => {
      await stop(name);
      try {
        await expect(json<ProductPageDto>(await stack.api('/api/products?limit=3', {}, null))).resolves.toMatchObject({
          status: 200,
          body: { items: expect.arrayContaining([expect.objectContaining({ id: products[0]?.id })]) },
        });
        await expect(json(await stack.api(`/api/orders/${alicesOrder.id}`, {}, alice))).resolves.toMatchObject({ status: 200 });
        const before = await settledSnapshot();
        const refused = await json(await placeAs(alice, orderBody()));
        expect(refused.status).toBe(503);
        expect(refused.body).toMatchObject({ code: 'ORDERING.UNAVAILABLE', detail: expect.stringContaining(name) });
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(await snapshot()).toEqual(before);
      } finally {
        await stack.restart(name);
      }
      const placed = await waitFor(
        async () => {
          const response = await json<OrderDto>(await placeAs(alice, orderBody()));
          return response.status === 201 ? response.body : undefined;
        },
        { timeoutMs: 15_000, what: `ordering to resume after ${name} is back` },
      );
      await expect(settled(placed.id)).resolves.toMatchObject({ status: 'confirmed' });
    });

    // Last: it stops the catalog.
    it('still shows an order’s details while the catalog is down, naming the missing part', async () => {
      await stop('catalog');
      const { status, body } = await json<OrderDetailsDto>(await stack.api(`/api/orders/${alicesOrder.id}/details`, {}, alice));
      expect(status).toBe(200);
      expect(body).toMatchObject({ id: alicesOrder.id, unavailable: ['catalog'] });
      expect(body.lines[0]).toMatchObject({ productId: products[0]?.id, product: null });
      expect(body.timeline?.length).toBeGreaterThan(0);
    });
  });
});
