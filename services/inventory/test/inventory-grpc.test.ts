import { status } from '@grpc/grpc-js';
import type { inventoryV1 } from '@storefront/contracts';
import { inventoryGrpcClient, startInventory, uniqueSku, type InventoryUnderTest } from './inventory-app';

describe('inventory.v1.InventoryService over gRPC', () => {
  let inventory: InventoryUnderTest;
  let client: ReturnType<typeof inventoryGrpcClient>;
  const [a, b] = [uniqueSku('GA'), uniqueSku('GB')];

  beforeAll(async () => {
    inventory = await startInventory();
    client = inventoryGrpcClient(inventory.grpcAddress);
    await inventory.givenStock(a, 4);
    await inventory.givenStock(b, 0);
    await inventory.prisma.stock.update({ where: { sku: b }, data: { reserved: 2, sold: 5 } });
  });

  afterAll(async () => {
    client.close();
    await inventory.close();
  });

  it('gets the stock level of one SKU', async () => {
    await expect(client.call<inventoryV1.GetStockResponse>('getStock', { sku: b })).resolves.toEqual({
      stock: { sku: b, available: 0, reserved: 2, sold: 5 },
    });
  });

  it('gets many levels at once, in request order, each once, naming the SKUs it does not know', async () => {
    const unknown = uniqueSku('GX');

    const result = await client.call<inventoryV1.GetStockLevelsResponse>('getStockLevels', { skus: [b, unknown, a, b] });

    expect(result).toEqual({
      stocks: [
        { sku: b, available: 0, reserved: 2, sold: 5 },
        { sku: a, available: 4, reserved: 0, sold: 0 },
      ],
      unknownSkus: [unknown],
    });
    await expect(client.call('getStockLevels', { skus: [] })).resolves.toEqual({ stocks: [], unknownSkus: [] });
  });

  it.each([
    ['getStock', { sku: 'NOPE-0000' }, status.NOT_FOUND, 'INVENTORY.STOCK_NOT_FOUND'],
    ['getStock', { sku: 'aud-0001' }, status.INVALID_ARGUMENT, 'VALIDATION.FAILED'],
    ['getStock', { sku: '' }, status.INVALID_ARGUMENT, 'VALIDATION.FAILED'],
    ['getStock', { sku: "A' OR '1'='1" }, status.INVALID_ARGUMENT, 'VALIDATION.FAILED'],
    ['getStockLevels', { skus: ['AUD-0001', 'bad sku'] }, status.INVALID_ARGUMENT, 'VALIDATION.FAILED'],
    ['getStockLevels', { skus: Array.from({ length: 101 }, (_, index) => `SKU-${index}`) }, status.INVALID_ARGUMENT, 'VALIDATION.FAILED'],
  ])('%s(%j) fails with status %i and code %s', async (method, request, expectedStatus, code) => {
    const error = await client.call(method, request).then(
      () => undefined,
      (caught: unknown) => caught as { code: number; metadata: { get(key: string): unknown[] } },
    );
    expect(error?.code).toBe(expectedStatus);
    expect(error?.metadata.get('error-code')).toEqual([code]);
  });
});
