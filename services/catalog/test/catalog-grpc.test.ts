import { status } from '@grpc/grpc-js';
import type { catalogV1 } from '@storefront/contracts';
import { testIssuer } from '@storefront/devstack/testing';
import { SEED_PRODUCTS } from '../src/infrastructure/seed/catalog.seed-data';
import { catalogGrpcClient, startCatalog, type CatalogUnderTest } from './catalog-app';

describe('catalog.v1.CatalogService over gRPC', () => {
  let catalog: CatalogUnderTest;
  let client: ReturnType<typeof catalogGrpcClient>;
  const as = async (roles: string[]) => ({ authorization: `Bearer ${await (await testIssuer()).token({ subject: 'ops', roles })}` });
  let admin: Record<string, string>;

  beforeAll(async () => {
    catalog = await startCatalog();
    client = catalogGrpcClient(catalog.grpcAddress);
    admin = await as(['admin']);
  });

  afterAll(async () => {
    client.close();
    await catalog.close();
  });

  it('lists products with prices in minor units and RFC 3339-convertible timestamps', async () => {
    const page = await client.call<catalogV1.ListProductsResponse>('listProducts', { limit: 3, sort: 'price' });
    expect(page.products).toHaveLength(3);
    const prices = page.products.map((product) => product.price?.amountMinor ?? -1);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    expect(page.products[0]?.createdAt?.seconds).toBeGreaterThan(0);
    expect(page.nextCursor).not.toBe('');
  });

  it('gets one product by id', async () => {
    const [first] = (await client.call<catalogV1.ListProductsResponse>('listProducts', { limit: 1 })).products;
    const { product } = await client.call<catalogV1.GetProductResponse>('getProduct', { id: first?.id });
    expect(product).toMatchObject({ id: first?.id, sku: first?.sku, category: { slug: first?.category?.slug } });
  });

  it('prices many products at once, in request order, naming the ids it does not know', async () => {
    const all = (await client.call<catalogV1.ListProductsResponse>('listProducts', { limit: 100 })).products;
    expect(all).toHaveLength(SEED_PRODUCTS.length);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const ids = [all[5]?.id, unknown, all[2]?.id, all[5]?.id];

    const result = await client.call<catalogV1.GetProductsByIdsResponse>('getProductsByIds', { ids });

    expect(result.products.map((product) => product.id)).toEqual([all[5]?.id, all[2]?.id]);
    expect(result.missingIds).toEqual([unknown]);
  });

  it.each([
    ['getProduct', { id: 'not-a-uuid' }, status.INVALID_ARGUMENT, 'VALIDATION.FAILED'],
    ['getProduct', { id: '00000000-0000-4000-8000-000000000000' }, status.NOT_FOUND, 'CATALOG.PRODUCT_NOT_FOUND'],
    ['listProducts', { limit: 500 }, status.INVALID_ARGUMENT, 'VALIDATION.FAILED'],
    ['listProducts', { limit: -1 }, status.INVALID_ARGUMENT, 'VALIDATION.FAILED'],
    ['listProducts', { sort: 'popularity' }, status.INVALID_ARGUMENT, 'VALIDATION.FAILED'],
    ['listProducts', { cursor: 'bm90LWEtY3Vyc29y' }, status.INVALID_ARGUMENT, 'CATALOG.INVALID_CURSOR'],
    ['getProductsByIds', { ids: ['nope'] }, status.INVALID_ARGUMENT, 'VALIDATION.FAILED'],
    ['createProduct', { sku: 'x', name: '' }, status.INVALID_ARGUMENT, 'VALIDATION.FAILED'],
  ])('%s(%j) fails with status %i and code %s', async (method, request, expectedStatus, code) => {
    const error = await client.call(method, request, admin).then(
      () => undefined,
      (caught: unknown) => caught as { code: number; metadata: { get(key: string): unknown[] } },
    );
    expect(error?.code).toBe(expectedStatus);
    expect(error?.metadata.get('error-code')).toEqual([code]);
  });

  it('creates a product, then changes only the fields it is sent', async () => {
    const { product: created } = await client.call<catalogV1.CreateProductResponse>(
      'createProduct',
      { sku: 'GRP-0001', name: 'gRPC Handbook', description: 'A book', category: 'books', price: { amountMinor: 2500, currency: 'USD' } },
      admin,
    );
    expect(created).toMatchObject({ sku: 'GRP-0001', imageUrl: '', price: { amountMinor: 2500 } });

    const { product: updated } = await client.call<catalogV1.UpdateProductResponse>(
      'updateProduct',
      { id: created?.id, name: 'gRPC Handbook, 2nd edition' },
      admin,
    );

    expect(updated).toMatchObject({
      name: 'gRPC Handbook, 2nd edition',
      description: 'A book',
      price: { amountMinor: 2500, currency: 'USD' },
      category: { slug: 'books' },
    });
  });

  it('refuses a second product with the same SKU', async () => {
    const request = { sku: 'AUD-0001', name: 'Copy', category: 'audio', price: { amountMinor: 1, currency: 'USD' } };
    await expect(client.call('createProduct', request, admin)).rejects.toMatchObject({ code: status.FAILED_PRECONDITION });
  });

  it.each([
    ['without a token', undefined, status.UNAUTHENTICATED, 'AUTH.TOKEN_MISSING'],
    ['with a customer token', ['customer'], status.PERMISSION_DENIED, 'AUTH.FORBIDDEN'],
  ] as const)('refuses product changes %s and changes nothing', async (_case, roles, expectedStatus, code) => {
    const metadata = roles ? await as([...roles]) : {};
    const before = await catalog.prisma.product.count();
    const [first] = (await client.call<catalogV1.ListProductsResponse>('listProducts', { limit: 1 })).products;
    const create = { sku: 'GRP-0099', name: 'Not Allowed', category: 'books', price: { amountMinor: 1, currency: 'USD' } };
    for (const [method, request] of [
      ['createProduct', create],
      ['updateProduct', { id: first?.id, name: 'Renamed' }],
    ] as const) {
      const error = await client.call(method, request, metadata).then(
        () => undefined,
        (caught: unknown) => caught as { code: number; metadata: { get(key: string): unknown[] } },
      );
      expect(error?.code).toBe(expectedStatus);
      expect(error?.metadata.get('error-code')).toEqual([code]);
    }
    expect(await catalog.prisma.product.count()).toBe(before);
    const { product: again } = await client.call<catalogV1.GetProductResponse>('getProduct', { id: first?.id });
    expect(again?.name).toBe(first?.name);
  });
});
