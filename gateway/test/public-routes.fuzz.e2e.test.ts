import fc from 'fast-check';
import type { z } from 'zod';
import {
  createProductBodySchema,
  paymentProviderSettingsSchema,
  placeOrderBodySchema,
  restockBodySchema,
  updateProductBodySchema,
  type OrderDto,
  type ProductPageDto,
} from '@storefront/contracts';
import { startTestStack, TEST_ADMIN, type TestStack } from '@storefront/devstack/testing';
import { waitFor } from '@storefront/testing';
import { databaseDigest, settledDatabaseDigest } from './database-digest';

const RUNS = 2_500;
const address = { name: 'Ada Lovelace', line1: '12 Analytical St', city: 'London', postalCode: 'N1 9GU', country: 'GB' };

/**
 * Thousands of malformed requests across every public route, as every kind of caller: none may get
 * a 5xx, every error is problem+json without internals, and no database changes.
 */
describe('public routes under malformed input', () => {
  let stack: TestStack;
  let productId: string;
  let sku: string;
  let alicesOrder: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    stack = await startTestStack();
    const { items } = (await (await stack.api('/api/products?limit=1', {}, null)).json()) as ProductPageDto;
    productId = items[0]?.id as string;
    sku = items[0]?.sku as string;
    await waitFor(async () => (await fetch(`${stack.service('inventory').url}/stock/${sku}`)).ok, { timeoutMs: 20_000 });
    const placed = await stack.api(
      '/api/orders',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'fuzz-first-order' },
        body: JSON.stringify({ paymentToken: 'tok_visa', shippingAddress: address, lines: [{ productId, quantity: 1 }] }),
      },
      { subject: 'alice' },
    );
    alicesOrder = ((await placed.json()) as OrderDto).id;
    expect(placed.status).toBe(201);
    // Let its saga finish so that nothing changes during the run but what the fuzzer sends.
    await waitFor(
      async () => {
        const timeline = (await (await stack.api(`/api/orders/${alicesOrder}/timeline`)).json()) as { entries?: { type: string }[] };
        const types = new Set(timeline.entries?.map((entry) => entry.type));
        return types.has('payment_captured') && types.has('confirmed');
      },
      { timeoutMs: 30_000, what: 'the first order’s saga to finish' },
    );
    tokens.alice = `Bearer ${await stack.token({ subject: 'alice' })}`;
    tokens.bob = `Bearer ${await stack.token({ subject: 'bob' })}`;
    tokens.admin = `Bearer ${await stack.token(TEST_ADMIN)}`;
    tokens.expired = `Bearer ${await stack.token({ subject: 'alice', expiresInSeconds: -120 })}`;
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  /** Anything a client could put in a path segment or a query value. */
  const junk = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.uuid(),
    fc.integer().map(String),
    fc.constantFrom(
      '',
      '..',
      '%00',
      '%E0%A4%A',
      "' OR 1=1 --",
      '<script>alert(1)</script>',
      'a'.repeat(300),
      '-1',
      '1e309',
      'null',
      '{}',
      '[]',
    ),
  );
  const segment = fc.oneof(junk.map(encodeURIComponent), fc.constantFrom('%E0%A4%A', '%', '%%', '..%2F..%2Fetc%2Fpasswd'));
  const query = fc
    .array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom('limit', 'cursor', 'sort', 'q', 'category', 'status', 'customerId', 'from', 'to'),
          fc.string({ maxLength: 12 }),
        ),
        junk,
      ),
      {
        maxLength: 4,
      },
    )
    .map((pairs) =>
      pairs.length ? `?${pairs.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&')}` : '',
    );

  /** Bodies the route's own schema refuses: random values, and valid bodies with one thing wrong. */
  const invalidBody = (schema: z.ZodType, valid: Record<string, unknown>) =>
    fc
      .oneof(
        fc.anything(),
        fc
          .record({ key: fc.constantFrom(...Object.keys(valid)), value: fc.anything() })
          .map(({ key, value }) => ({ ...valid, [key]: value })),
        fc
          .record({ key: fc.string({ minLength: 1, maxLength: 10 }), value: fc.anything() })
          .map(({ key, value }) => ({ ...valid, [key]: value })),
        fc.constantFrom(...Object.keys(valid)).map((key) => Object.fromEntries(Object.entries(valid).filter(([name]) => name !== key))),
      )
      // Judged as the server will see it: JSON drops `undefined` fields and turns NaN into null, so
      // an object the schema refuses can still serialize to a valid body.
      .map((body) => JSON.stringify(body) ?? 'undefined')
      .filter((text) => {
        try {
          return !schema.safeParse(JSON.parse(text)).success;
        } catch {
          return true;
        }
      });
  const rawBody = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.constantFrom('{', '{"a":', '[]', 'null', '{"__proto__":{"admin":true}}', '\u0000'),
  );

  const validProduct = { sku: 'FUZZ-0001', name: 'Fuzz', category: 'books', price: { amountMinor: 100, currency: 'USD' } };
  const validOrder = () => ({ paymentToken: 'tok_visa', shippingAddress: address, lines: [{ productId, quantity: 1 }] });

  interface FuzzRequest {
    readonly method: string;
    readonly path: string;
    readonly body?: string;
  }
  const withBody = (method: string, path: fc.Arbitrary<string>, body: fc.Arbitrary<string>): fc.Arbitrary<FuzzRequest> =>
    fc.record({ method: fc.constant(method), path, body: fc.oneof(body, rawBody) });
  const get = (path: fc.Arbitrary<string>): fc.Arbitrary<FuzzRequest> => fc.record({ method: fc.constant('GET'), path });

  const requests = (): fc.Arbitrary<FuzzRequest> =>
    fc.oneof(
      get(query.map((q) => `/api/products${q}`)),
      get(segment.map((id) => `/api/products/${id}`)),
      get(query.map((q) => `/api/categories${q}`)),
      withBody('POST', fc.constant('/api/products'), invalidBody(createProductBodySchema, validProduct)),
      withBody(
        'PATCH',
        fc.oneof(segment, fc.constant(productId)).map((id) => `/api/products/${id}`),
        invalidBody(updateProductBodySchema, { name: 'Renamed' }),
      ),
      withBody('POST', fc.constant('/api/orders'), invalidBody(placeOrderBodySchema, validOrder())),
      get(query.map((q) => `/api/orders${q}`)),
      get(
        fc
          .tuple(fc.oneof(segment, fc.constant(alicesOrder)), fc.constantFrom('', '/timeline', '/details'))
          .map(([id, tail]) => `/api/orders/${id}${tail}`),
      ),
      // A well-formed id of an order that is not the caller's, or a malformed one: never a cancel that applies.
      withBody(
        'POST',
        segment.map((id) => `/api/orders/${id}/cancel`),
        fc.constant(''),
      ),
      withBody(
        'POST',
        fc.oneof(segment, fc.constant(sku)).map((id) => `/api/admin/stock/${id}/restock`),
        invalidBody(restockBodySchema, { quantity: 1 }),
      ),
      withBody(
        'PUT',
        fc.constant('/api/admin/payment-provider'),
        invalidBody(paymentProviderSettingsSchema, { latencyMs: 0, failureRate: 0, declineAmountOverMinor: null }),
      ),
      fc.record({
        method: fc.constantFrom('DELETE', 'PUT', 'OPTIONS', 'HEAD'),
        path: fc.constantFrom('/api/orders', '/api/products', `/api/orders/${alicesOrder}`),
      }),
    );

  it(`answers ${RUNS} malformed requests with 4xx problem+json, never a 5xx, and changes nothing`, async () => {
    const before = await settledDatabaseDigest(stack);
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        requests(),
        fc.constantFrom('none', 'garbage', 'alice', 'bob', 'admin', 'expired'),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/json; charset=latin1',
          undefined,
        ),
        fc.option(fc.string({ maxLength: 140 }), { nil: undefined }),
        async (request, caller, contentType, idempotencyKey) => {
          const headers: Record<string, string> = {};
          if (caller === 'garbage') headers.authorization = 'Bearer not.a.token';
          else if (caller !== 'none') headers.authorization = tokens[caller] as string;
          if (request.body !== undefined && contentType) headers['content-type'] = contentType;
          if (idempotencyKey !== undefined && /^[\x20-\x7e]*$/.test(idempotencyKey)) headers['idempotency-key'] = idempotencyKey;
          const response = await fetch(`${stack.gatewayUrl}${request.path}`, {
            method: request.method,
            headers,
            ...(request.body !== undefined && request.method !== 'GET' ? { body: request.body } : {}),
          });
          const text = await response.text();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          const where = `${request.method} ${request.path} as ${caller}: ${response.status} ${text.slice(0, 300)}`;
          if (response.status >= 500) throw new Error(`5xx for ${where}`);
          if (response.status < 300 && ['POST', 'PUT', 'PATCH'].includes(request.method)) {
            throw new Error(`a malformed write was accepted: ${where} (body ${request.body?.slice(0, 300)})`);
          }
          if (response.status >= 400 && request.method !== 'HEAD') {
            expect(response.headers.get('content-type')).toContain('application/problem+json');
            expect(text).not.toMatch(/\bat .+\.(js|ts):\d+/); // no stack trace
          }
        },
      ),
      { numRuns: RUNS },
    );
    expect(await databaseDigest(stack)).toEqual(before);
    // Every kind of refusal was exercised, and nothing was accepted as a change.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([400, 401, 403, 404]));
  }, 240_000);
});
