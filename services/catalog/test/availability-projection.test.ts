import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import fc from 'fast-check';
import { Pool } from 'pg';
import { pgTransactionRunner, type PgTransaction } from '@storefront/persistence';
import { createTestDatabase, type TestDatabase } from '@storefront/testing';
import { PrismaClient } from '../src/infrastructure/prisma/generated/client';
import { AvailabilityProjection } from '../src/infrastructure/projections/availability.projection';
import { stockChanged, type StockChanged } from './catalog-app';

/** The projection's upsert on a real database: the newest event wins, whatever the delivery order. */
describe('availability projection', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let pool: Pool;
  let transaction: <T>(work: (tx: PgTransaction) => Promise<T>) => Promise<T>;
  const projection = new AvailabilityProjection();
  // On plain pg with prepared statements, as the service's consumer runs it (SqlDatabase).
  const apply = (event: StockChanged) => transaction((tx) => projection.apply(tx, event));
  const row = (sku: string) =>
    prisma.productAvailability.findUnique({
      where: { sku },
      select: { available: true, reserved: true, sold: true, lastEventAt: true },
    });

  beforeAll(async () => {
    database = await createTestDatabase('catalog_availability', join(__dirname, '..', 'prisma', 'migrations'));
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
    pool = new Pool({ connectionString: database.url, max: 4 });
    transaction = pgTransactionRunner(pool, { prepare: true });
  });

  afterAll(async () => {
    await prisma.$disconnect();
    await pool.end();
    await database.drop();
  });

  it('keeps the change with the highest version, even when its time is older, whatever the delivery order', async () => {
    // As inventory numbers them: the release took its time before waiting for the row lock.
    const reserved = stockChanged('AVL-0003', { available: 4, reserved: 1, sold: 0, version: 2 }, new Date('2026-11-22T10:00:01.000Z'));
    const released = stockChanged('AVL-0003', { available: 5, reserved: 0, sold: 0, version: 3 }, new Date('2026-11-22T10:00:00.000Z'));

    await expect(apply(reserved)).resolves.toBe(true);
    await expect(apply(released)).resolves.toBe(true);
    await expect(apply(reserved)).resolves.toBe(false);

    await expect(row('AVL-0003')).resolves.toMatchObject({ available: 5, reserved: 0, sold: 0 });
  });

  it('keeps the levels of the event that occurred last when events carry no version', async () => {
    const newer = stockChanged('AVL-0001', { available: 7, reserved: 2, sold: 1 }, new Date('2026-11-22T10:00:01.000Z'));
    const older = stockChanged('AVL-0001', { available: 9, reserved: 0, sold: 1 }, new Date('2026-11-22T10:00:00.000Z'));

    await expect(apply(newer)).resolves.toBe(true);
    await expect(apply(older)).resolves.toBe(false);

    await expect(row('AVL-0001')).resolves.toEqual({
      available: 7,
      reserved: 2,
      sold: 1,
      lastEventAt: new Date('2026-11-22T10:00:01.000Z'),
    });
  });

  it('ends with the newest event of every SKU for shuffled, duplicated and concurrent deliveries', async () => {
    let run = 0;
    const level = fc.nat({ max: 10_000 });
    // Changes in the order they happened, numbered per SKU as inventory does, at times that may run
    // backwards (up to 2 s), then delivered as a shuffled list with repeats.
    const scenario = fc
      .array(
        fc.record({
          sku: fc.integer({ min: 0, max: 2 }),
          available: level,
          reserved: level,
          sold: level,
          gapMs: fc.integer({ min: -2_000, max: 5_000 }),
        }),
        {
          minLength: 1,
          maxLength: 12,
        },
      )
      .chain((occurred) =>
        fc.record({
          occurred: fc.constant(occurred),
          deliveries: fc.array(fc.nat({ max: occurred.length - 1 }), { maxLength: 6 }).chain((repeats) => {
            const all = [...occurred.keys(), ...repeats];
            return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
          }),
          parallel: fc.integer({ min: 1, max: 4 }),
        }),
      );

    await fc.assert(
      fc.asyncProperty(scenario, async ({ occurred, deliveries, parallel }) => {
        run += 1;
        const skuOf = (index: number) => `P${run}-${index}`;
        let at = Date.parse('2026-11-22T00:00:00.000Z');
        const versions = new Map<number, number>();
        const events = occurred.map(({ sku, gapMs, ...levels }) => {
          at += gapMs;
          versions.set(sku, (versions.get(sku) ?? 0) + 1);
          return stockChanged(skuOf(sku), { ...levels, version: versions.get(sku) }, new Date(at));
        });

        for (let start = 0; start < deliveries.length; start += parallel) {
          await Promise.all(deliveries.slice(start, start + parallel).map((index) => apply(events[index] as StockChanged)));
        }

        for (const sku of [0, 1, 2].map(skuOf)) {
          const newest = events.filter((event) => event.payload.sku === sku).at(-1);
          const expected = newest && {
            available: newest.payload.available,
            reserved: newest.payload.reserved,
            sold: newest.payload.sold,
            lastEventAt: new Date(newest.occurredAt),
          };
          expect(await row(sku)).toEqual(expected ?? null);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('refuses negative levels even past the event contract', async () => {
    const event = stockChanged('AVL-0002', { available: 1 });
    await expect(apply({ ...event, payload: { ...event.payload, available: -1 } })).rejects.toThrow(/available_check/);
  });
});
