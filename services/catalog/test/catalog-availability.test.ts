import { StockChangedV1, type catalogV1, type ProductDto, type ProductPageDto } from '@storefront/contracts';
import { MessagingRuntime } from '@storefront/messaging';
import { waitFor } from '@storefront/testing';
import { CATALOG_AVAILABILITY_CONSUMER } from '../src/interface/messaging/inventory-stock.consumer';
import { adminHeaders, catalogGrpcClient, startCatalog, stockChanged, type CatalogUnderTest } from './catalog-app';

const at = (second: number) => new Date(Date.UTC(2026, 10, 22, 10, 0, second));

/** Availability from inventory's stock-changed events, on both transports, without calling inventory. */
describe('catalog availability read model', () => {
  let catalog: CatalogUnderTest;
  let client: ReturnType<typeof catalogGrpcClient>;

  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${catalog.httpUrl}${path}`);
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  const bySku = async () => {
    const page = await get<ProductPageDto>('/products?limit=100');
    return new Map(page.items.map((item) => [item.sku, item]));
  };

  beforeAll(async () => {
    catalog = await startCatalog();
    client = catalogGrpcClient(catalog.grpcAddress);
    const newest = stockChanged('AUD-0002', { available: 3, reserved: 1, sold: 21 }, at(2));
    // Delivered out of order and twice: a late older event and a redelivery change nothing.
    await catalog.publish(
      stockChanged('AUD-0001', { available: 25 }, at(1)),
      newest,
      stockChanged('AUD-0002', { available: 40 }, at(1)),
      stockChanged('CMP-0001', { available: 0, reserved: 2, sold: 23 }, at(3)),
      stockChanged('CMP-0002', { available: 5 }, at(1)),
    );
    const runtime = catalog.app.get(MessagingRuntime);
    await runtime.js.publish(catalog.namespace.subject(StockChangedV1.subject), JSON.stringify(newest), {
      msgID: `${newest.id}:again`,
    });
    // Every message handled and acknowledged, the duplicate included.
    await waitFor(
      async () =>
        (await runtime.consumerLag(CATALOG_AVAILABILITY_CONSUMER)) === 0 && (await bySku()).get('CMP-0002')?.availability.status === 'low',
      {
        what: 'the stock-changed events applied',
      },
    );
  });

  afterAll(async () => {
    client?.close();
    await catalog?.close();
  });

  it('lists products as in stock, low (1 to 5 units), out of stock, or unknown', async () => {
    const products = await bySku();
    expect(products.get('AUD-0001')?.availability).toEqual({ status: 'in_stock', available: 25 });
    expect(products.get('AUD-0002')?.availability).toEqual({ status: 'low', available: 3 });
    expect(products.get('CMP-0002')?.availability).toEqual({ status: 'low', available: 5 });
    expect(products.get('CMP-0001')?.availability).toEqual({ status: 'out_of_stock', available: 0 });
    expect(products.get('AUD-0003')?.availability).toEqual({ status: 'unknown', available: null });
  });

  it('shows the same availability for one product', async () => {
    const listed = (await bySku()).get('AUD-0002') as ProductDto;
    await expect(get<ProductDto>(`/products/${listed.id}`)).resolves.toEqual(listed);
  });

  it('sends availability over gRPC, with known = false for a SKU inventory has not reported', async () => {
    const products = await bySku();
    const ids = ['AUD-0001', 'CMP-0001', 'AUD-0003'].map((sku) => products.get(sku)?.id);

    const { products: priced } = await client.call<catalogV1.GetProductsByIdsResponse>('getProductsByIds', { ids });
    // These events carry no version (as before inventory numbered its changes): version 0.
    expect(priced.map((product) => product.availability)).toEqual([
      { status: 'in_stock', available: 25, known: true, version: 0 },
      { status: 'out_of_stock', available: 0, known: true, version: 0 },
      { status: 'unknown', available: 0, known: false, version: 0 },
    ]);
    const { product } = await client.call<catalogV1.GetProductResponse>('getProduct', { id: products.get('AUD-0002')?.id });
    expect(product?.availability).toEqual({ status: 'low', available: 3, known: true, version: 0 });
    const page = await client.call<catalogV1.ListProductsResponse>('listProducts', { limit: 100 });
    expect(page.products.find((item) => item.sku === 'CMP-0002')?.availability).toEqual({
      status: 'low',
      available: 5,
      known: true,
      version: 0,
    });
  });

  it('keeps stock that arrives before its product, and shows it once the product is created', async () => {
    await catalog.publish(stockChanged('NEW-0100', { available: 12 }, at(4)));
    await waitFor(async () => (await catalog.prisma.productAvailability.count({ where: { sku: 'NEW-0100' } })) === 1);

    const response = await fetch(`${catalog.httpUrl}/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await adminHeaders()) },
      body: JSON.stringify({ sku: 'NEW-0100', name: 'Early Stock', category: 'books', price: { amountMinor: 100, currency: 'USD' } }),
    });

    expect(response.status).toBe(201);
    expect(((await response.json()) as ProductDto).availability).toEqual({ status: 'in_stock', available: 12 });
  });

  it('reports the projection’s lag on /health/ready without affecting readiness, and on /metrics', async () => {
    const ready = await get<{ status: string; checks: Record<string, unknown> }>('/health/ready');
    expect(ready.status).toBe('ready');
    expect(ready.checks['projection:availability']).toEqual({
      status: 'up',
      latencyMs: expect.any(Number),
      details: { lastEventAt: at(4).toISOString(), lagSeconds: expect.any(Number), pending: 0 },
    });
    const metrics = await (await fetch(`${catalog.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/storefront_projection_lag_seconds\{service="catalog",projection="availability"\} \d/);
    expect(metrics).toMatch(/storefront_projection_pending\{service="catalog",projection="availability"\} 0/);
  });
});
