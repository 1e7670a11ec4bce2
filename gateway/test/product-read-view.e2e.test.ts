import { randomUUID } from 'node:crypto';
import type { ProductDto, ProductPageDto } from '@storefront/contracts';
import { startTestStack, TEST_ADMIN, type TestStack } from '@storefront/devstack/testing';
import { waitFor } from '@storefront/testing';

/**
 * The product pages the gateway and the catalog answer from memory, on the real processes, the real
 * PostgreSQL and NATS: a change made anywhere shows once its event has arrived, a write through a
 * process shows at once through it, a 404 and bad input leave nothing behind.
 */
describe('product read views (gateway and catalog)', () => {
  let stack: TestStack;
  let adminToken: string;

  beforeAll(async () => {
    stack = await startTestStack({ readyTimeoutMs: 120_000 });
    adminToken = await stack.token(TEST_ADMIN);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  /** A value of the gateway's or the catalog's Prometheus text for one read view. */
  async function metric(service: 'gateway' | 'catalog', series: string): Promise<number> {
    const text = await (await fetch(`${stack.service(service).url}/metrics`)).text();
    const line = text.split('\n').find((candidate) => candidate.startsWith(series));
    return line ? Number(line.slice(series.length).trim()) : 0;
  }
  const gatewayHits = () => metric('gateway', 'storefront_read_view_reads_total{view="gateway-products",outcome="hit"}');
  const gatewayMisses = () => metric('gateway', 'storefront_read_view_reads_total{view="gateway-products",outcome="miss"}');
  const gatewayEntries = () => metric('gateway', 'storefront_read_view_entries{view="gateway-products"}');

  async function someProduct(category: string): Promise<ProductDto> {
    const page = (await (await stack.api(`/api/products?limit=1&category=${category}`, {}, null)).json()) as ProductPageDto;
    return page.items[0] as ProductDto;
  }

  const viaGateway = (id: string, headers: Record<string, string> = {}) => fetch(`${stack.gatewayUrl}/api/products/${id}`, { headers });
  const atCatalog = (id: string) => fetch(`${stack.service('catalog').url}/products/${id}`);
  const json = async (response: Response) => (await response.json()) as ProductDto;

  /**
   * Reads until the gateway keeps the product. Right after start-up it may not: inventory announces
   * each SKU's first stock level, and until the catalog has applied it an answer is older than the
   * announced version, so it is served but not kept.
   */
  async function untilKept(id: string): Promise<void> {
    await waitFor(
      async () => {
        await viaGateway(id);
        const hits = await gatewayHits();
        await viaGateway(id);
        return (await gatewayHits()) > hits;
      },
      { timeoutMs: 20_000, what: `the gateway to keep product ${id}` },
    );
  }

  it('answers a product again from memory with the same bytes and headers, and 304 for its ETag', async () => {
    const { id } = await someProduct('books');
    await untilKept(id);
    const first = await viaGateway(id);
    const hitsBefore = await gatewayHits();
    const second = await viaGateway(id);
    expect(await gatewayHits()).toBe(hitsBefore + 1);
    expect(second.status).toBe(200);
    expect(await second.text()).toBe(await first.text());
    for (const header of ['content-type', 'etag', 'cache-control', 'x-content-type-options', 'content-security-policy']) {
      expect([header, second.headers.get(header)]).toEqual([header, first.headers.get(header)]);
    }
    expect(second.headers.get('cache-control')).toBe('public, no-cache');
    expect(second.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));

    const revalidated = await viaGateway(id, { 'if-none-match': String(first.headers.get('etag')) });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
    const changedEtag = await viaGateway(id, { 'if-none-match': '"something-else"' });
    expect(changedEtag.status).toBe(200);
  });

  it('shows a change made at the catalog directly once its event has arrived, at the gateway and the catalog', async () => {
    const product = await someProduct('audio');
    await viaGateway(product.id);
    await viaGateway(product.id); // kept now
    await atCatalog(product.id);
    const name = `Renamed at the catalog ${randomUUID().slice(0, 8)}`;
    const patched = await fetch(`${stack.service('catalog').url}/products/${product.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    expect(patched.status).toBe(200);
    // The catalog that made the change answers with it at once; the gateway once the event is in.
    expect((await json(await atCatalog(product.id))).name).toBe(name);
    await waitFor(async () => (await json(await viaGateway(product.id))).name === name, {
      timeoutMs: 15_000,
      what: 'the gateway to show the new name',
    });
    // And keeps showing it (what it keeps now is the new state).
    for (let index = 0; index < 3; index++) expect((await json(await viaGateway(product.id))).name).toBe(name);
  });

  it('shows a change made through the gateway at once through it', async () => {
    const product = await someProduct('computing');
    await viaGateway(product.id);
    await viaGateway(product.id);
    const name = `Renamed at the gateway ${randomUUID().slice(0, 8)}`;
    const patched = await stack.api(`/api/products/${product.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    expect(patched.status).toBe(200);
    expect((await json(await viaGateway(product.id))).name).toBe(name);
  });

  it('shows a stock change once inventory has announced it and the catalog has applied it', async () => {
    const product = await someProduct('books');
    // Inventory creates the stock row from the catalog's event after start-up; wait until the catalog knows it.
    const before = await waitFor(
      async () => {
        const seen = await json(await viaGateway(product.id));
        return seen.availability.available === null ? undefined : seen.availability.available;
      },
      { timeoutMs: 20_000, what: 'the product to have a known availability' },
    );
    await viaGateway(product.id);
    await atCatalog(product.id);
    await atCatalog(product.id);
    const restocked = await stack.api(`/api/admin/stock/${product.sku}/restock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ quantity: 7 }),
    });
    expect(restocked.status).toBe(200);
    for (const read of [viaGateway, atCatalog]) {
      await waitFor(async () => (await json(await read(product.id))).availability.available === before + 7, {
        timeoutMs: 15_000,
        what: `${read === viaGateway ? 'the gateway' : 'the catalog'} to show the restock`,
      });
    }
    // Nothing older is kept afterwards, however often it is read.
    for (let index = 0; index < 5; index++) {
      expect((await json(await viaGateway(product.id))).availability.available).toBe(before + 7);
      expect((await json(await atCatalog(product.id))).availability.available).toBe(before + 7);
    }
  });

  it('keeps no 404 and nothing for a malformed id', async () => {
    const entries = await gatewayEntries();
    const missesBefore = await gatewayMisses();
    const unknown = randomUUID();
    for (let index = 0; index < 2; index++) {
      const response = await viaGateway(unknown);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    // Both reached the catalog: a 404 is not kept, so a product created with that id would show at once.
    expect(await gatewayMisses()).toBe(missesBefore + 2);
    for (const bad of ['not-a-uuid', '1234', `${unknown}x`, '%27%20OR%201%3D1']) {
      const response = await viaGateway(bad);
      expect([bad, response.status]).toEqual([bad, 400]);
      expect((await atCatalog(bad)).status).toBe(400);
    }
    expect(await gatewayEntries()).toBe(entries);
    expect(await gatewayMisses()).toBe(missesBefore + 2);
  });

  it('reports the event watch on readiness', async () => {
    for (const service of ['gateway', 'catalog'] as const) {
      const ready = (await (await fetch(`${stack.service(service).url}/health/ready`)).json()) as Record<string, unknown>;
      expect(JSON.stringify(ready)).toContain('event-watch');
    }
  });
});
