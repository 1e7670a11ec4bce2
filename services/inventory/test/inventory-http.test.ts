import { StockChangedV1, stockLevelSchema } from '@storefront/contracts';
import { waitFor } from '@storefront/testing';
import { startInventory, uniqueSku, type InventoryUnderTest } from './inventory-app';

describe('inventory REST API', () => {
  let inventory: InventoryUnderTest;
  const sku = uniqueSku('HTTP');
  const other = uniqueSku('HTTP');

  /** Admin by default; `as: null` sends no token. */
  const request = (...args: Parameters<typeof inventory.request>) => inventory.request(...args);
  /** Everything a refused request must leave alone: every stock row and every event. */
  const snapshot = async () =>
    JSON.stringify(
      [await inventory.prisma.stock.findMany({ orderBy: { sku: 'asc' } }), await inventory.prisma.outboxMessage.count()],
      (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value),
    );

  beforeAll(async () => {
    inventory = await startInventory();
    await inventory.givenStock(sku, 3);
    await inventory.givenStock(other, 0);
  });

  afterAll(async () => {
    await inventory.close();
  });

  it('answers the stock level of a SKU', async () => {
    const response = await request('GET', `/stock/${sku}`);
    expect(response).toMatchObject({ status: 200, type: expect.stringContaining('application/json') });
    expect(stockLevelSchema.strict().parse(response.body)).toEqual({ sku, available: 3, reserved: 0, sold: 0 });
  });

  it('answers the levels of several SKUs and names the unknown ones', async () => {
    const unknown = uniqueSku('NONE');
    await expect(request('GET', `/stock?skus=${other},${unknown},${sku}`)).resolves.toMatchObject({
      status: 200,
      body: {
        items: [
          { sku: other, available: 0, reserved: 0, sold: 0 },
          { sku, available: 3, reserved: 0, sold: 0 },
        ],
        unknownSkus: [unknown],
      },
    });
  });

  it('restocks: adds to available only, answers the new level and publishes stock-changed (restock)', async () => {
    const target = uniqueSku('RST');
    await inventory.givenStock(target, 2);
    await inventory.prisma.stock.update({ where: { sku: target }, data: { reserved: 1, sold: 4 } });

    const response = await request('POST', `/stock/${target}/restock`, { quantity: 5 });

    expect(response).toEqual({
      status: 200,
      type: expect.stringContaining('application/json'),
      body: { sku: target, available: 7, reserved: 1, sold: 4 },
    });
    expect(await inventory.level(target)).toEqual({ sku: target, available: 7, reserved: 1, sold: 4 });
    const event = await waitFor(async () =>
      (await inventory.published(StockChangedV1)).find((candidate) => candidate.payload.sku === target),
    );
    expect(event.payload).toEqual({ sku: target, available: 7, reserved: 1, sold: 4, version: 1, reason: 'restock' });
  });

  const restock = `/stock/${'SKU'}/restock`;
  const manySkus = Array.from({ length: 101 }, (_, index) => `SKU-${index}`).join(',');
  const badRequests: [string, string, unknown, number][] = [
    ['GET', '/stock/NOPE-0000', undefined, 404],
    ['GET', '/stock/aud-0001', undefined, 400],
    ['GET', '/stock/AB', undefined, 400],
    ['GET', `/stock/${'A'.repeat(40)}`, undefined, 400],
    ['GET', "/stock/A'%20OR%20'1'='1", undefined, 400],
    ['GET', '/stock', undefined, 400],
    ['GET', '/stock?skus=', undefined, 400],
    ['GET', '/stock?skus=AUD-0001,bad', undefined, 400],
    ['GET', '/stock?skus=AUD-0001&skus=AUD-0002', undefined, 400],
    ['GET', `/stock?skus=${manySkus}`, undefined, 400],
    ['GET', '/stock?skus=AUD-0001&admin=1', undefined, 400],
    ['POST', '/stock/NOPE-0000/restock', { quantity: 1 }, 404],
    ['POST', '/stock/lower/restock', { quantity: 1 }, 400],
    ['POST', restock, { quantity: 0 }, 400],
    ['POST', restock, { quantity: -5 }, 400],
    ['POST', restock, { quantity: 1.5 }, 400],
    ['POST', restock, { quantity: '5' }, 400],
    ['POST', restock, { quantity: 1_000_001 }, 400],
    ['POST', restock, { quantity: null }, 400],
    ['POST', restock, {}, 400],
    ['POST', restock, { quantity: 1, available: 100 }, 400],
    ['POST', restock, [{ quantity: 1 }], 400],
    ['POST', restock, '{"quantity":', 400],
    ['POST', restock, 'quantity=1', 400],
    // Keys Nest would drop silently against prototype pollution are refused like any unknown field.
    ['POST', restock, '{"quantity":1,"prototype":{}}', 400],
    ['POST', restock, '{"quantity":1,"constructor":{"name":"x"}}', 400],
    ['POST', restock, '{"quantity":1,"__proto__":{"admin":true}}', 400],
  ];
  it.each(
    badRequests.map(
      ([method, path, body, expected]) =>
        [`${method} ${path.slice(0, 60)} ${JSON.stringify(body) ?? ''}`, method, path, body, expected] as const,
    ),
  )('%s is refused with problem+json and changes nothing', async (_title, method, path, body, expected) => {
    const before = await snapshot();
    const response = await request(
      method,
      path.replace('/SKU/', `/${sku}/`),
      body,
      body === 'quantity=1' ? 'application/x-www-form-urlencoded' : 'application/json',
    );
    expect(response.status).toBe(expected);
    expect(response.type).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status: expected, code: expect.any(String), detail: expect.any(String) });
    expect(await snapshot()).toBe(before);
  });

  it.each([
    ['no token', null, 401, 'AUTH.TOKEN_MISSING'],
    ['a customer token', { subject: 'alice', roles: ['customer'] }, 403, 'AUTH.FORBIDDEN'],
  ] as const)('refuses a restock with %s and changes nothing', async (_case, as, status, code) => {
    const before = await snapshot();
    const response = await request(
      'POST',
      `/stock/${sku}/restock`,
      { quantity: 5 },
      'application/json',
      as ? { ...as, roles: [...as.roles] } : null,
    );
    expect(response).toMatchObject({ status, type: expect.stringContaining('application/problem+json'), body: { code } });
    expect(await snapshot()).toBe(before);
  });

  it('names the rule a refused quantity breaks', async () => {
    await expect(request('POST', `/stock/${sku}/restock`, { quantity: 0 })).resolves.toMatchObject({
      status: 400,
      body: { code: 'VALIDATION.FAILED', errors: [{ path: 'quantity', message: expect.any(String) }] },
    });
    await expect(request('GET', '/stock/NOPE-0000')).resolves.toMatchObject({
      status: 404,
      body: { code: 'INVENTORY.STOCK_NOT_FOUND', detail: expect.stringContaining('NOPE-0000') },
    });
  });

  it('reports ready with the database and NATS checks', async () => {
    await expect(request('GET', '/health/ready')).resolves.toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { database: { status: 'up' }, nats: { status: 'up' } } },
    });
  });
});
