import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Pool } from 'pg';
import type { ProductPageDto } from '@storefront/contracts';
import { MessagingRuntime } from '@storefront/messaging';
import { waitFor } from '@storefront/testing';
import { rebuildAvailability } from '../src/infrastructure/projections/availability-rebuild';
import { AvailabilityProjection, type AvailabilityTable } from '../src/infrastructure/projections/availability.projection';
import { SEED_PRODUCTS } from '../src/infrastructure/seed/catalog.seed-data';
import { startCatalog, stockChanged, type CatalogUnderTest, type StockChanged } from './catalog-app';

const SERVICE_DIR = join(__dirname, '..');
const SEEDED = SEED_PRODUCTS.slice(0, 20).map((product) => product.sku);
// Inventory may report SKUs the catalog does not sell (yet).
const OTHERS = ['XTR-0001', 'XTR-0002', 'XTR-0003'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built rebuild script as an operator runs it, against this test's database and namespace. */
function runRebuild(catalog: CatalogUnderTest, args = ['availability'], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const child = spawn(process.execPath, ['dist/infrastructure/projections/projection-rebuild.js', ...args], {
    cwd: SERVICE_DIR,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: catalog.database.url,
      NATS_URL: catalog.natsUrl,
      MESSAGING_NAMESPACE: catalog.namespace.prefix,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('availability rebuild (projection:rebuild availability)', () => {
  let catalog: CatalogUnderTest;
  const published: StockChanged[] = [];
  let clock = Date.parse('2026-11-22T08:00:00.000Z');

  /** Events with random levels for the given SKUs, each later than the last, published in shuffled order. */
  const publishRandom = async (count: number, skus: readonly string[]) => {
    const events = Array.from({ length: count }, (_, index) => {
      clock += 1 + Math.floor(Math.random() * 1_000);
      const level = () => Math.floor(Math.random() * 30);
      return stockChanged(skus[index % skus.length] as string, { available: level(), reserved: level(), sold: level() }, new Date(clock));
    });
    events.sort(() => Math.random() - 0.5);
    await catalog.publish(...events);
    published.push(...events);
  };
  const liveRows = () =>
    catalog.prisma.productAvailability.findMany({
      orderBy: { sku: 'asc' },
      select: { sku: true, available: true, reserved: true, sold: true, lastEventAt: true },
    });
  /** The table every delivery order must end with: the newest event of each SKU. */
  const expectedRows = () => {
    const newest = new Map<string, StockChanged>();
    for (const event of published) {
      const current = newest.get(event.payload.sku);
      if (!current || current.occurredAt < event.occurredAt) newest.set(event.payload.sku, event);
    }
    return [...newest.values()]
      .map(({ payload, occurredAt }) => ({
        sku: payload.sku,
        available: payload.available,
        reserved: payload.reserved,
        sold: payload.sold,
        lastEventAt: new Date(occurredAt),
      }))
      .sort((a, b) => (a.sku < b.sku ? -1 : 1));
  };
  const caughtUp = () =>
    waitFor(async () => JSON.stringify(await liveRows()) === JSON.stringify(expectedRows()), {
      timeoutMs: 30_000,
      what: 'the consumer to apply every published event',
    });
  const names = async () => {
    const indexes = await catalog.prisma.$queryRaw<{ name: string }[]>`
      SELECT indexname AS name FROM pg_indexes WHERE tablename = 'product_availability' ORDER BY 1`;
    const constraints = await catalog.prisma.$queryRaw<{ name: string }[]>`
      SELECT conname AS name FROM pg_constraint WHERE conrelid = 'product_availability'::regclass ORDER BY 1`;
    return { indexes: indexes.map((row) => row.name), constraints: constraints.map((row) => row.name) };
  };
  const tableExists = async (table: string) =>
    (await catalog.prisma.$queryRaw<{ found: string | null }[]>`SELECT to_regclass(${table})::text AS found`)[0]?.found !== null;

  beforeAll(async () => {
    catalog = await startCatalog();
    await publishRandom(300, [...SEEDED, ...OTHERS]);
    await caughtUp();
  });

  afterAll(async () => {
    await catalog?.close();
  });

  it('replays the stream into a table equal row for row to the live one, repairing a damaged live table', async () => {
    const before = await liveRows();
    const namesBefore = await names();
    // Lost and wrong rows, as after a bug in a previous version of the projection.
    await catalog.prisma.productAvailability.delete({ where: { sku: 'XTR-0001' } });
    await catalog.prisma.productAvailability.update({ where: { sku: 'XTR-0002' }, data: { available: 999 } });

    const run = await runRebuild(catalog);

    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('availability: replayed 300 events into product_availability_rebuild');
    expect(run.stdout).toMatch(
      new RegExp(`applied 0 events that arrived during the rebuild; ${before.length} rows, up to INVENTORY sequence 300`),
    );
    expect(await liveRows()).toEqual(before);
    // Renamed into place, the table keeps the index and constraint names of its migration.
    expect(await names()).toEqual(namesBefore);
    expect(await tableExists('product_availability_rebuild')).toBe(false);
  });

  it('keeps answering readers while it runs, and ends with the newest event of every SKU', async () => {
    let done = false;
    const failures: string[] = [];
    let answers = 0;
    const readers = (async () => {
      while (!done) {
        const response = await fetch(`${catalog.httpUrl}/products?limit=100`);
        if (response.status !== 200) {
          failures.push(`status ${response.status}: ${await response.text()}`);
          continue;
        }
        const { items } = (await response.json()) as ProductPageDto;
        const unknown = items.filter((item) => SEEDED.includes(item.sku) && item.availability.status === 'unknown');
        // A missing or half-built table would show as unknown availability.
        if (unknown.length > 0) failures.push(`unknown availability for ${unknown.map((item) => item.sku).join(', ')}`);
        answers += 1;
      }
    })();

    const rebuild = runRebuild(catalog);
    // Events published during the rebuild: the consumer or the rebuild's second pass applies them.
    await publishRandom(60, SEEDED.slice(0, 5));
    const run = await rebuild;
    done = true;
    await readers;

    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(failures).toEqual([]);
    expect(answers).toBeGreaterThan(0);
    await caughtUp();
  });

  it('applies after the swap what the consumer wrote to the old table during the replay', async () => {
    let published = false;
    /** On the replay's first event, the consumer applies newer events to the live table, which is then swapped out. */
    class PublishingMidway extends AvailabilityProjection {
      override async apply(...args: Parameters<AvailabilityProjection['apply']>): Promise<boolean> {
        const table: AvailabilityTable | undefined = args[2];
        if (!published && table === 'product_availability_rebuild') {
          published = true;
          await publishRandom(10, ['XTR-0003']);
          await caughtUp();
        }
        return super.apply(...args);
      }
    }
    const pool = new Pool({ connectionString: catalog.database.url, max: 2 });
    const { js, jsm } = catalog.app.get(MessagingRuntime);
    try {
      const result = await rebuildAvailability({ pool, js, jsm, namespace: catalog.namespace, projection: new PublishingMidway() });

      expect(result).toMatchObject({ replayed: 360, caughtUp: 10 });
      expect(await liveRows()).toEqual(expectedRows());
    } finally {
      await pool.end();
    }
  });

  it('exits 1 with the reason and leaves the live table as it was when the history cannot be read', async () => {
    const before = await liveRows();

    const run = await runRebuild(catalog, ['availability'], { MESSAGING_NAMESPACE: 'tnostreamshere' });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'availability rebuild failed: product_availability is unchanged: cannot read stream TNOSTREAMSHERE_INVENTORY ' +
        '(check NATS_URL and MESSAGING_NAMESPACE): stream not found',
    );
    expect(await liveRows()).toEqual(before);
    expect(await tableExists('product_availability_rebuild')).toBe(false);
  });

  it('names the projections it knows when asked for another', async () => {
    const run = await runRebuild(catalog, ['order-history']);
    expect(run).toMatchObject({ code: 1, stderr: expect.stringContaining('known projections: availability') });
  });
});
