import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { createTestDatabase, type TestDatabase } from '@storefront/testing';
import { PrismaClient } from '../src/infrastructure/prisma/generated/client';

/** The hand-written migrations match the Prisma schema, and the database holds the invariants on its own. */
describe('order migrations', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  const now = new Date();
  const address = { name: 'Ada', line1: '1 St', city: 'London', postalCode: 'N1', country: 'GB' };
  const newOrder = (overrides: Record<string, unknown> = {}) => ({
    id: randomUUID(),
    customerId: 'ada',
    status: 'placed',
    currency: 'USD',
    totalMinor: 2_500,
    shippingAddress: address,
    updatedAt: now,
    ...overrides,
  });

  beforeAll(async () => {
    database = await createTestDatabase('order_schema', join(__dirname, '..', 'prisma', 'migrations'));
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  });

  afterAll(async () => {
    await prisma.$disconnect();
    await database.drop();
  });

  it('reads and writes every column the Prisma schema declares', async () => {
    const data = newOrder({ statusReason: null, paymentToken: 'tok_visa', stepDeadlineAt: now });
    await prisma.order.create({
      data: {
        ...data,
        lines: {
          create: [{ productId: randomUUID(), sku: 'SKU-1', name: 'Book', quantity: 2, unitPriceMinor: 1_250, lineTotalMinor: 2_500 }],
        },
      },
    });
    await expect(prisma.order.findUnique({ where: { id: data.id }, include: { lines: true } })).resolves.toMatchObject({
      ...data,
      createdAt: expect.any(Date),
      lines: [expect.objectContaining({ sku: 'SKU-1', quantity: 2, lineTotalMinor: 2_500 })],
    });
    await prisma.idempotencyKey.create({ data: { customerId: 'ada', key: 'k-1', requestHash: 'h'.repeat(64), orderId: data.id } });
    await prisma.orderHistory.create({ data: { orderId: data.id, customerId: 'ada', status: 'placed', statusRank: 0, lastEventAt: now } });
    await expect(prisma.orderHistory.findUnique({ where: { orderId: data.id } })).resolves.toMatchObject({
      status: 'placed',
      paymentRank: 0,
    });
  });

  it('refuses an unknown status and a negative total', async () => {
    await expect(prisma.order.create({ data: newOrder({ status: 'PLACED' }) })).rejects.toThrow(/orders_status_check/);
    await expect(prisma.order.create({ data: newOrder({ totalMinor: -1 }) })).rejects.toThrow(/orders_total_minor_check/);
  });

  it('refuses a line without units, and one Idempotency-Key used twice by a customer', async () => {
    const order = await prisma.order.create({ data: newOrder() });
    await expect(
      prisma.orderLine.create({
        data: { orderId: order.id, productId: randomUUID(), sku: 'S', name: 'N', quantity: 0, unitPriceMinor: 1, lineTotalMinor: 0 },
      }),
    ).rejects.toThrow(/order_lines_quantity_check/);
    await prisma.idempotencyKey.create({ data: { customerId: 'bob', key: 'same', requestHash: 'h'.repeat(64), orderId: order.id } });
    await expect(
      prisma.idempotencyKey.create({ data: { customerId: 'bob', key: 'same', requestHash: 'h'.repeat(64), orderId: order.id } }),
    ).rejects.toThrow();
    // Another customer's key is theirs.
    await expect(
      prisma.idempotencyKey.create({ data: { customerId: 'eve', key: 'same', requestHash: 'h'.repeat(64), orderId: order.id } }),
    ).resolves.toBeDefined();
  });
});
