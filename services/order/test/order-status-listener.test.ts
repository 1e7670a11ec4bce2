import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@storefront/testing';
import type { OrderConfig } from '../src/config';
import { PgOrderStatusListener } from '../src/infrastructure/prisma/order-status.listener';

/** The orders table's trigger announces each status change on commit, and the listener names it. */
describe('PgOrderStatusListener (PostgreSQL LISTEN/NOTIFY)', () => {
  let database: TestDatabase;
  let pool: Pool;
  let listener: PgOrderStatusListener;

  beforeAll(async () => {
    database = await createTestDatabase('order_status', join(__dirname, '..', 'prisma', 'migrations'));
    pool = new Pool({ connectionString: database.url });
    listener = new PgOrderStatusListener({ DATABASE_URL: database.url } as OrderConfig);
    await listener.onModuleInit();
  });

  afterAll(async () => {
    await listener.onModuleDestroy();
    await pool.end();
    await database.drop();
  });

  const setStatus = (id: string, status: string) => pool.query('UPDATE "orders" SET "status" = $2 WHERE "id" = $1', [id, status]);

  it('announces the new status of the watched order, in commit order, and nothing of other orders', async () => {
    const [id, other] = [randomUUID(), randomUUID()];
    for (const orderId of [id, other]) {
      await pool.query(
        `INSERT INTO "orders" ("id", "customer_id", "status", "currency", "total_minor", "shipping_address", "updated_at")
         VALUES ($1, 'ada', 'placed', 'USD', 100, '{}', now())`,
        [orderId],
      );
    }
    const watch = listener.watch(id);
    try {
      await setStatus(other, 'stock_reserved');
      await setStatus(id, 'stock_reserved');
      await setStatus(id, 'stock_reserved'); // no change, no announcement
      await setStatus(id, 'payment_authorized');
      const announced: (string | undefined)[] = [];
      const started = Date.now();
      while (announced.length < 2 && Date.now() - started < 5_000) announced.push(...(await watch.next(5_000)));
      expect(announced).toEqual(['stock_reserved', 'payment_authorized']);
      // Nothing more: the next wait ends by its time, with nothing announced.
      await expect(watch.next(200)).resolves.toEqual([]);
    } finally {
      watch.close();
    }
  });
});
