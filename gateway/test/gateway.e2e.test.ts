import type { ProductDto, ProductPageDto } from '@storefront/contracts';
import { startTestStack, type TestStack } from '@storefront/devstack/testing';
import { waitFor } from '@storefront/testing';

/** Through the gateway to the real catalog process, as `npm start` runs them. */
describe('gateway → catalog end to end', () => {
  let stack: TestStack;

  /** As an admin (product changes need the role; reads need no token but accept one). */
  const call = async (path: string, init: RequestInit = {}) => {
    const response = await stack.api(path, init);
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      requestId: response.headers.get('x-request-id'),
      body: text ? (JSON.parse(text) as unknown) : undefined,
    };
  };

  beforeAll(async () => {
    stack = await startTestStack({ env: { gateway: { CORS_ORIGINS: 'https://shop.example' } } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('returns five products as JSON for ?limit=5', async () => {
    const response = await call('/api/products?limit=5');
    expect(response.status).toBe(200);
    expect(response.type).toContain('application/json');
    const page = response.body as ProductPageDto;
    expect(page.items).toHaveLength(5);
    expect(page.items[0]).toEqual(expect.objectContaining({ id: expect.any(String), sku: expect.any(String), price: expect.any(Object) }));
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it('follows cursors to the last page', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const response = await call(`/api/products?limit=10&sort=-price${cursor ? `&cursor=${cursor}` : ''}`);
      const page = response.body as ProductPageDto;
      for (const item of page.items) seen.add(item.id);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.size).toBeGreaterThanOrEqual(30);
  });

  it('serves one product and the categories', async () => {
    const { body } = await call('/api/products?limit=1&category=books');
    const book = (body as ProductPageDto).items[0] as ProductDto;
    // Availability follows inventory's events and may change between the two calls.
    const { availability: _availability, ...sameProduct } = book;
    await expect(call(`/api/products/${book.id}`)).resolves.toMatchObject({ status: 200, body: sameProduct });
    const categories = await call('/api/categories');
    expect((categories.body as { items: { slug: string }[] }).items.map((item) => item.slug)).toEqual(
      expect.arrayContaining(['audio', 'books', 'computing']),
    );
  });

  it('shows each product’s availability, kept by the catalog from inventory’s events', async () => {
    // The stack starts every product with 25 units; inventory announces them with stock-changed.
    const items = await waitFor(
      async () => {
        const { body } = await call('/api/products?limit=100');
        const page = body as ProductPageDto;
        return page.items.every((item) => item.availability.status === 'in_stock') ? page.items : undefined;
      },
      { timeoutMs: 20_000, what: 'availability of every product' },
    );
    expect(new Set(items.map((item) => JSON.stringify(item.availability)))).toEqual(
      new Set([JSON.stringify({ status: 'in_stock', available: 25 })]),
    );
  });

  it('sends security headers and allows CORS for the configured origins only', async () => {
    const response = await fetch(`${stack.gatewayUrl}/api/categories`, { headers: { origin: 'https://shop.example' } });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example');

    const preflight = await fetch(`${stack.gatewayUrl}/api/orders`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,idempotency-key',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('idempotency-key');

    const stranger = await fetch(`${stack.gatewayUrl}/api/categories`, { headers: { origin: 'https://evil.example' } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps a caller’s x-request-id and makes one when there is none', async () => {
    await expect(call('/api/categories', { headers: { 'x-request-id': 'trace-me-123' } })).resolves.toMatchObject({
      requestId: 'trace-me-123',
    });
    const generated = await call('/api/categories');
    expect(generated.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('publishes an OpenAPI document listing the product routes', async () => {
    const { status, body } = await call('/docs-json');
    expect(status).toBe(200);
    const document = body as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/products', '/api/products/{id}', '/api/categories']));
    expect(Object.keys(document.paths['/api/products'] ?? {})).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(document.paths).filter((path) => !path.startsWith('/api/'))).toEqual([]);
    const docs = await fetch(`${stack.gatewayUrl}/docs`);
    expect(docs.status).toBe(200);
  });

  it.each([
    ['/api/products?limit=-1', 400, 'VALIDATION.FAILED'],
    ['/api/products?limit=abc', 400, 'VALIDATION.FAILED'],
    ['/api/products?sort=random', 400, 'VALIDATION.FAILED'],
    ['/api/products?cursor=eyJzIjoibmFtZSJ9', 400, 'CATALOG.INVALID_CURSOR'],
    ['/api/products?admin=true', 400, 'VALIDATION.FAILED'],
    ['/api/products/not-a-uuid', 400, 'VALIDATION.FAILED'],
    ['/api/products/00000000-0000-4000-8000-000000000000', 404, 'CATALOG.PRODUCT_NOT_FOUND'],
    ['/api/nothing-here', 404, 'HTTP.NOT_FOUND'],
  ])('GET %s answers %i problem+json with code %s', async (path, status, code) => {
    const response = await call(path);
    expect(response).toMatchObject({ status, body: { status, code, requestId: response.requestId } });
    expect(response.type).toContain('application/problem+json');
  });

  it('creates a product through the gateway and refuses bad bodies with the catalog’s own reasons', async () => {
    const headers = { 'content-type': 'application/json' };
    const body = { sku: 'GW-0001', name: 'Gateway Mug', category: 'home-kitchen', price: { amountMinor: 1500, currency: 'USD' } };
    const created = await call('/api/products', { method: 'POST', headers, body: JSON.stringify(body) });
    expect(created).toMatchObject({ status: 201, body: { sku: 'GW-0001', imageUrl: null } });

    await expect(call('/api/products', { method: 'POST', headers, body: JSON.stringify(body) })).resolves.toMatchObject({
      status: 409,
      body: { code: 'CATALOG.SKU_TAKEN' },
    });
    await expect(
      call('/api/products', { method: 'POST', headers, body: JSON.stringify({ ...body, sku: 'GW-0002', category: 'nope' }) }),
    ).resolves.toMatchObject({ status: 400, body: { code: 'CATALOG.CATEGORY_NOT_FOUND' } });
  });

  // Last: it stops the catalog.
  it('answers 503 problem+json at once, not a hang, when the catalog is down', async () => {
    const catalog = stack.service('catalog').process;
    const exited = new Promise((resolve) => catalog.once('exit', resolve));
    catalog.kill('SIGTERM');
    await exited;

    const started = Date.now();
    const response = await call('/api/products?limit=5');

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(response).toMatchObject({ status: 503, body: { code: 'DOWNSTREAM.UNAVAILABLE', status: 503 } });
    expect(response.type).toContain('application/problem+json');
  });
});
