import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { createTestDatabase, type TestDatabase } from '@storefront/testing';
import { PrismaClient } from '../src/infrastructure/prisma/generated/client';
import { seedCatalog } from '../src/infrastructure/seed/catalog.seed';
import { SEED_CATEGORIES, SEED_PRODUCTS } from '../src/infrastructure/seed/catalog.seed-data';

/** The hand-written migration and the Prisma schema describe the same tables. */
describe('catalog migrations and seed', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await createTestDatabase('catalog_schema', join(__dirname, '..', 'prisma', 'migrations'));
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  });

  afterAll(async () => {
    await prisma.$disconnect();
    await database.drop();
  });

  it('seeds at least 30 products over several categories, and seeding again adds nothing', async () => {
    expect(SEED_PRODUCTS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(SEED_PRODUCTS.map((product) => product.category)).size).toBeGreaterThanOrEqual(4);

    await expect(seedCatalog(prisma)).resolves.toEqual({
      categories: SEED_CATEGORIES.length,
      products: SEED_PRODUCTS.length,
    });
    await expect(seedCatalog(prisma)).resolves.toEqual({ categories: 0, products: 0 });
    await expect(prisma.product.count()).resolves.toBe(SEED_PRODUCTS.length);
    // Each seeded product is announced once, for inventory to create its stock.
    const events = await prisma.outboxMessage.findMany({ where: { subject: 'catalog.product-created.v1' } });
    expect(events).toHaveLength(SEED_PRODUCTS.length);
  });

  it('reads and writes every column the Prisma schema declares', async () => {
    const category = await prisma.category.create({ data: { slug: 'schema-check', name: 'Schema check' } });
    const product = await prisma.product.create({
      data: {
        sku: 'SCH-0001',
        name: 'Every column',
        description: 'd',
        categoryId: category.id,
        priceMinor: 1,
        currency: 'EUR',
        imageUrl: 'https://example.com/x.png',
      },
      include: { category: true },
    });
    expect(product).toMatchObject({ sku: 'SCH-0001', currency: 'EUR', category: { slug: 'schema-check' } });
    // Availability has no relation to products: stock may be reported before the product exists.
    const lastEventAt = new Date('2026-11-22T10:00:00.123Z');
    await expect(
      prisma.productAvailability.create({ data: { sku: 'SCH-9999', available: 1, reserved: 2, sold: 3, lastEventAt } }),
    ).resolves.toMatchObject({ sku: 'SCH-9999', available: 1, reserved: 2, sold: 3, lastEventAt, updatedAt: expect.any(Date) });
  });

  it('refuses a negative price even past the domain', async () => {
    const category = await prisma.category.findFirstOrThrow();
    await expect(
      prisma.product.create({
        data: { sku: 'SCH-0002', name: 'Negative', categoryId: category.id, priceMinor: -1, currency: 'USD' },
      }),
    ).rejects.toThrow(/price_minor_check/);
  });
});
