import type { ProductDto, ProductPageDto } from '@storefront/contracts';
import { testIssuer } from '@storefront/devstack/testing';
import { SEED_PRODUCTS } from '../src/infrastructure/seed/catalog.seed-data';
import { adminHeaders, startCatalog, type CatalogUnderTest } from './catalog-app';

describe('catalog REST API', () => {
  let catalog: CatalogUnderTest;

  const get = async (path: string) => {
    const response = await fetch(`${catalog.httpUrl}${path}`);
    return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
  };
  /** As an admin unless `headers` say otherwise. */
  const send = async (method: string, path: string, body: unknown, contentType = 'application/json', headers?: Record<string, string>) => {
    const response = await fetch(`${catalog.httpUrl}${path}`, {
      method,
      headers: { 'content-type': contentType, ...(headers ?? (await adminHeaders())) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
  };
  const allPages = async (query: string) => {
    const items: ProductDto[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { body } = await get(`/products?limit=7&${query}${cursor ? `&cursor=${cursor}` : ''}`);
      const page = body as ProductPageDto;
      items.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 50);
    return items;
  };
  const snapshot = () => catalog.prisma.product.findMany({ orderBy: { id: 'asc' } }).then((rows) => JSON.stringify(rows));

  beforeAll(async () => {
    catalog = await startCatalog();
  });

  afterAll(async () => {
    await catalog.close();
  });

  it('pages through every product exactly once in the database collation of names', async () => {
    const items = await allPages('sort=name');
    const expected = await catalog.prisma.product.findMany({ orderBy: [{ name: 'asc' }, { id: 'asc' }] });
    expect(items.map((item) => item.id)).toEqual(expected.map((row) => row.id));
  });

  it.each([
    ['-price', (a: ProductDto, b: ProductDto) => b.price.amountMinor - a.price.amountMinor],
    ['createdAt', (a: ProductDto, b: ProductDto) => a.createdAt.localeCompare(b.createdAt)],
  ])('pages through every product exactly once sorted by %s', async (sort, compare) => {
    const items = await allPages(`sort=${sort}`);
    expect(items).toHaveLength(SEED_PRODUCTS.length);
    expect(new Set(items.map((item) => item.id)).size).toBe(SEED_PRODUCTS.length);
    for (let index = 1; index < items.length; index += 1) {
      expect(compare(items[index - 1] as ProductDto, items[index] as ProductDto)).toBeLessThanOrEqual(0);
    }
  });

  it('filters by category and searches names case-insensitively', async () => {
    const books = await allPages('category=books');
    expect(books.map((item) => item.sku).sort()).toEqual(
      SEED_PRODUCTS.filter((product) => product.category === 'books')
        .map((product) => product.sku)
        .sort(),
    );
    const { body } = await get('/products?q=KEYBOARD');
    expect((body as ProductPageDto).items.map((item) => item.sku)).toEqual(['CMP-0001']);
  });

  it('gets a product by id and answers 404 problem+json for an unknown one', async () => {
    const { body: page } = await get('/products?limit=1');
    const first = (page as ProductPageDto).items[0] as ProductDto;
    await expect(get(`/products/${first.id}`)).resolves.toMatchObject({ status: 200, body: first });
    await expect(get('/products/00000000-0000-4000-8000-000000000000')).resolves.toMatchObject({
      status: 404,
      type: expect.stringContaining('application/problem+json'),
      body: { status: 404, code: 'CATALOG.PRODUCT_NOT_FOUND', title: 'Not Found' },
    });
  });

  it('lists categories', async () => {
    const { body } = await get('/categories');
    expect((body as { items: { slug: string }[] }).items.map((item) => item.slug)).toContain('home-kitchen');
  });

  it('creates and updates a product', async () => {
    const created = await send('POST', '/products', {
      sku: 'NEW-0001',
      name: 'Espresso Tamper',
      category: 'home-kitchen',
      price: { amountMinor: 2900, currency: 'USD' },
    });
    expect(created).toMatchObject({ status: 201, body: { sku: 'NEW-0001', description: '', imageUrl: null } });
    const id = (created.body as ProductDto).id;

    const updated = await send('PATCH', `/products/${id}`, { price: { amountMinor: 3100, currency: 'USD' } });

    expect(updated).toMatchObject({ status: 200, body: { id, name: 'Espresso Tamper', price: { amountMinor: 3100 } } });
  });

  const huge = 'x'.repeat(5_000);
  const validBody = { sku: 'BAD-0001', name: 'Bad', category: 'books', price: { amountMinor: 100, currency: 'USD' } };
  const badRequests: [string, string, unknown, number][] = [
    ['GET', '/products/12345', undefined, 400],
    ['GET', "/products/1' OR '1'='1", undefined, 400],
    ['GET', '/products?limit=-5', undefined, 400],
    ['GET', '/products?limit=0', undefined, 400],
    ['GET', '/products?limit=1000', undefined, 400],
    ['GET', '/products?limit=ten', undefined, 400],
    ['GET', '/products?limit=1&limit=2', undefined, 400],
    ['GET', '/products?sort=DROP TABLE', undefined, 400],
    ['GET', `/products?q=${huge}`, undefined, 400],
    ['GET', '/products?cursor=!!!', undefined, 400],
    ['GET', '/products?cursor=eyJzIjoibmFtZSJ9', undefined, 400],
    ['GET', '/products?category=Not A Slug', undefined, 400],
    ['GET', '/products?unknown=1', undefined, 400],
    ['POST', '/products', { ...validBody, sku: 'lower' }, 400],
    ['POST', '/products', { ...validBody, name: huge }, 400],
    ['POST', '/products', { ...validBody, price: { amountMinor: -1, currency: 'USD' } }, 400],
    ['POST', '/products', { ...validBody, price: { amountMinor: 1.5, currency: 'USD' } }, 400],
    ['POST', '/products', { ...validBody, price: { amountMinor: '100', currency: 'USD' } }, 400],
    ['POST', '/products', { ...validBody, price: { amountMinor: 100, currency: 'usd' } }, 400],
    ['POST', '/products', { ...validBody, imageUrl: 'javascript:alert(1)' }, 400],
    ['POST', '/products', { ...validBody, category: 'no-such-category' }, 400],
    ['POST', '/products', { ...validBody, isAdmin: true }, 400],
    ['POST', '/products', [validBody], 400],
    ['POST', '/products', '{"sku":', 400],
    ['POST', '/products', { ...validBody, sku: 'AUD-0001' }, 409],
    ['PATCH', '/products/00000000-0000-4000-8000-000000000000', { name: 'Ghost' }, 404],
    ['PATCH', '/products/not-a-uuid', { name: 'x' }, 400],
  ];
  const short = (text: string) => (text.length > 60 ? `${text.slice(0, 57)}...` : text);
  it.each(badRequests.map(([method, path, body, expected]) => [`${method} ${short(path)}`, method, path, body, expected] as const))(
    '%s is refused with problem+json and changes nothing',
    async (_title, method, path, body, expected) => {
      const before = await snapshot();
      const response = method === 'GET' ? await get(encodeURI(path).replace(/%25/g, '%')) : await send(method, path, body);
      expect(response.status).toBe(expected);
      expect(response.type).toContain('application/problem+json');
      expect(response.body).toMatchObject({ status: expected, code: expect.any(String), detail: expect.any(String) });
      expect(await snapshot()).toBe(before);
    },
  );

  it.each([
    ['no token', () => Promise.resolve({}), 401, 'AUTH.TOKEN_MISSING'],
    [
      'an expired admin token',
      async () => ({
        authorization: `Bearer ${await (await testIssuer()).token({ subject: 'ops', roles: ['admin'], expiresInSeconds: -60 })}`,
      }),
      401,
      'AUTH.TOKEN_EXPIRED',
    ],
    [
      'a customer token',
      async () => ({ authorization: `Bearer ${await (await testIssuer()).token({ subject: 'alice' })}` }),
      403,
      'AUTH.FORBIDDEN',
    ],
    ['a malformed header', () => Promise.resolve({ authorization: 'Token abc' }), 401, 'AUTH.TOKEN_INVALID'],
  ] as const)('refuses product changes with %s and changes nothing', async (_case, headers, status, code) => {
    const before = await snapshot();
    const { body: page } = await get('/products?limit=1');
    const id = (page as ProductPageDto).items[0]?.id;
    const created = await send('POST', '/products', { ...validBody, sku: 'AUTH-0001' }, 'application/json', await headers());
    const updated = await send('PATCH', `/products/${id}`, { name: 'Renamed' }, 'application/json', await headers());
    for (const response of [created, updated]) {
      expect(response).toMatchObject({ status, type: expect.stringContaining('application/problem+json'), body: { code } });
    }
    expect(await snapshot()).toBe(before);
  });

  it('refuses a PATCH that changes nothing, naming the rule', async () => {
    const { body: page } = await get('/products?limit=1');
    const id = (page as ProductPageDto).items[0]?.id;
    await expect(send('PATCH', `/products/${id}`, {})).resolves.toMatchObject({
      status: 400,
      body: { detail: expect.stringContaining('must change at least one field') },
    });
  });

  it('refuses a body larger than 1 MiB with 413', async () => {
    const response = await send('POST', '/products', { ...validBody, description: 'x'.repeat(1_100_000) });
    expect(response).toMatchObject({ status: 413, type: expect.stringContaining('application/problem+json') });
  });

  it('refuses a body of an unsupported media type with 415', async () => {
    const response = await send('POST', '/products', '<sku>X</sku>', 'application/xml');
    expect(response).toMatchObject({ status: 415, type: expect.stringContaining('application/problem+json') });
  });

  it('validates a form-encoded body like a JSON one', async () => {
    const response = await send('POST', '/products', 'sku=X', 'application/x-www-form-urlencoded');
    expect(response).toMatchObject({ status: 400, body: { code: 'VALIDATION.FAILED' } });
  });

  it('reports ready with the database check', async () => {
    await expect(get('/health/ready')).resolves.toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { database: { status: 'up' } } },
    });
  });
});
