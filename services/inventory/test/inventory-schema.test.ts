import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { createTestDatabase, type TestDatabase } from '@storefront/testing';
import { PrismaClient } from '../src/infrastructure/prisma/generated/client';

/** The hand-written migration and the Prisma schema describe the same tables, and the database guards the counters. */
describe('inventory migrations', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await createTestDatabase('inventory_schema', join(__dirname, '..', 'prisma', 'migrations'));
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
    await prisma.stock.create({ data: { sku: 'SCH-0001', available: 5, reserved: 2, sold: 1 } });
  });

  afterAll(async () => {
    await prisma.$disconnect();
    await database.drop();
  });

  it('reads and writes every column the Prisma schema declares', async () => {
    const expiresAt = new Date('2030-01-01T00:00:00.000Z');
    const reservation = await prisma.reservation.create({
      data: {
        id: randomUUID(),
        orderId: randomUUID(),
        status: 'reserved',
        expiresAt,
        lines: { create: [{ sku: 'SCH-0001', quantity: 2 }] },
      },
      include: { lines: { include: { stock: true } } },
    });
    expect(reservation).toMatchObject({
      status: 'reserved',
      expiresAt,
      lines: [{ sku: 'SCH-0001', quantity: 2, stock: { available: 5, reserved: 2, sold: 1 } }],
    });
    await expect(prisma.outboxMessage.count()).resolves.toBe(0);
    await expect(prisma.inboxMessage.count()).resolves.toBe(0);
  });

  it.each([
    ['available', { available: -1 }, /stock_available_check/],
    ['reserved', { reserved: -1 }, /stock_reserved_check/],
    ['sold', { sold: -1 }, /stock_sold_check/],
  ])('refuses a negative %s even past the application', async (_column, data, constraint) => {
    await expect(prisma.stock.update({ where: { sku: 'SCH-0001' }, data })).rejects.toThrow(constraint);
    await expect(prisma.stock.findUnique({ where: { sku: 'SCH-0001' } })).resolves.toMatchObject({ available: 5, reserved: 2, sold: 1 });
  });

  it('refuses an unknown status, an empty line, a second reservation for an order and a line of an unknown SKU', async () => {
    const orderId = randomUUID();
    const base = { orderId, expiresAt: new Date() };
    await expect(prisma.reservation.create({ data: { ...base, id: randomUUID(), status: 'pending' } })).rejects.toThrow(
      /reservations_status_check/,
    );
    await prisma.reservation.create({ data: { ...base, id: randomUUID(), status: 'released' } });
    await expect(prisma.reservation.create({ data: { ...base, id: randomUUID(), status: 'reserved' } })).rejects.toThrow(
      /Unique constraint/,
    );
    const other = { id: randomUUID(), orderId: randomUUID(), status: 'reserved', expiresAt: new Date() };
    await expect(prisma.reservation.create({ data: { ...other, lines: { create: [{ sku: 'SCH-0001', quantity: 0 }] } } })).rejects.toThrow(
      /reservation_lines_quantity_check/,
    );
    await expect(prisma.reservation.create({ data: { ...other, lines: { create: [{ sku: 'NOPE-0001', quantity: 1 }] } } })).rejects.toThrow(
      /Foreign key constraint/,
    );
  });
});
