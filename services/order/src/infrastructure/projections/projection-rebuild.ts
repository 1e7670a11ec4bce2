import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Namespace, connectNats, pgTransactionRunner, replayHistory } from '@storefront/messaging';
import { databaseConfigSchema, loadConfig, natsConfigSchema } from '@storefront/service-kit';
import { Pool, type PoolClient } from 'pg';
import { LIVE_ORDER_HISTORY, ORDER_HISTORY_EVENTS, type OrderHistoryTables, applyToOrderHistory } from './order-history.projection';

/*
 * `pnpm --filter @storefront/order projection:rebuild order-history`
 *
 * Rebuilds the order history from the event history in JetStream without taking it away from
 * readers: it fills fresh tables, swaps them in with one short transaction (renames under a lock),
 * then applies the events that arrived meanwhile. Safe to run while the service runs; every write
 * of the projection is idempotent.
 */

const REBUILD: OrderHistoryTables = {
  orders: 'order_history_rebuild',
  timeline: 'order_history_timeline_rebuild',
  products: 'order_history_products_rebuild',
};
const KEYS = ['orders', 'timeline', 'products'] as const;

async function inTransaction(pool: Pool, work: (client: PoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function main(): Promise<void> {
  const [name] = process.argv.slice(2);
  if (name !== 'order-history') {
    process.stderr.write('usage: projection:rebuild order-history\n');
    process.exit(2);
  }
  const config = loadConfig(databaseConfigSchema.extend(natsConfigSchema.shape));
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 2 });
  pool.on('error', () => undefined);
  const nc = await connectNats(config.NATS_URL, 'order-history-rebuild');
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const namespace = new Namespace(config.MESSAGING_NAMESPACE);
  const started = Date.now();
  try {
    await inTransaction(pool, async (client) => {
      for (const key of KEYS) {
        await client.query(`DROP TABLE IF EXISTS "${REBUILD[key]}"`);
        await client.query(`CREATE TABLE "${REBUILD[key]}" (LIKE "${LIVE_ORDER_HISTORY[key]}" INCLUDING ALL)`);
      }
    });

    // The whole replay in one transaction: fast, and invisible until the swap.
    let first = { applied: 0, lastSequences: {} as Readonly<Record<string, number>> };
    await pgTransactionRunner(pool)(async (tx) => {
      first = await replayHistory({
        js,
        jsm,
        namespace,
        definitions: ORDER_HISTORY_EVENTS,
        apply: (definition, event) => applyToOrderHistory(tx, REBUILD, definition, event),
      });
    });

    await inTransaction(pool, async (client) => {
      await client.query(`LOCK TABLE ${KEYS.map((key) => `"${LIVE_ORDER_HISTORY[key]}"`).join(', ')} IN ACCESS EXCLUSIVE MODE`);
      for (const key of KEYS) {
        await client.query(`ALTER TABLE "${LIVE_ORDER_HISTORY[key]}" RENAME TO "${LIVE_ORDER_HISTORY[key]}_old"`);
        await client.query(`ALTER TABLE "${REBUILD[key]}" RENAME TO "${LIVE_ORDER_HISTORY[key]}"`);
        await client.query(`DROP TABLE "${LIVE_ORDER_HISTORY[key]}_old"`);
      }
    });

    // Events the live consumers applied to the old tables while the replay ran.
    const tail = await replayHistory({
      js,
      jsm,
      namespace,
      definitions: ORDER_HISTORY_EVENTS,
      after: first.lastSequences,
      apply: (definition, event) => pgTransactionRunner(pool)((tx) => applyToOrderHistory(tx, LIVE_ORDER_HISTORY, definition, event)),
    });
    const { rows } = await pool.query<{ count: string }>(`SELECT count(*) FROM "${LIVE_ORDER_HISTORY.orders}"`);
    process.stdout.write(
      `order-history rebuilt from ${first.applied} events (+${tail.applied} that arrived meanwhile): ` +
        `${rows[0]?.count ?? 0} orders, swapped in after ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  } catch (error) {
    for (const key of KEYS) await pool.query(`DROP TABLE IF EXISTS "${REBUILD[key]}"`).catch(() => undefined);
    process.stderr.write(`order-history rebuild failed, the live read model is unchanged: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await nc.close();
    await pool.end();
  }
}

void main();
