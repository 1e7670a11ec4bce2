import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Namespace, connectNats, rebuildProjection } from '@storefront/messaging';
import { databaseConfigSchema, loadConfig, natsConfigSchema } from '@storefront/service-kit';
import { Pool } from 'pg';
import { LIVE_ORDER_HISTORY, ORDER_HISTORY_EVENTS, applyToOrderHistory } from './order-history.projection';

/*
 * `pnpm --filter @storefront/order projection:rebuild order-history` (in the image:
 * `node dist/infrastructure/projections/projection-rebuild.js order-history`). Reads DATABASE_URL,
 * NATS_URL and MESSAGING_NAMESPACE; safe to run while the service runs (see rebuildProjection).
 */
async function main(): Promise<void> {
  const [name] = process.argv.slice(2);
  if (name !== 'order-history') {
    process.stderr.write('usage: projection:rebuild <projection>; known projections: order-history\n');
    process.exit(2);
  }
  const config = loadConfig(databaseConfigSchema.extend(natsConfigSchema.shape));
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 2 });
  pool.on('error', () => undefined); // a broken idle connection fails the next query instead
  const started = Date.now();
  try {
    const nc = await connectNats(config.NATS_URL, 'order-history-rebuild').catch((error: unknown) => {
      throw new Error(`cannot reach NATS at ${config.NATS_URL} (NATS_URL): ${(error as Error).message}`, { cause: error });
    });
    try {
      const result = await rebuildProjection({
        name,
        pool,
        js: jetstream(nc),
        jsm: await jetstreamManager(nc),
        namespace: new Namespace(config.MESSAGING_NAMESPACE),
        tables: Object.values(LIVE_ORDER_HISTORY),
        definitions: ORDER_HISTORY_EVENTS,
        apply: (tx, tableOf, definition, event) =>
          applyToOrderHistory(
            tx,
            {
              orders: tableOf(LIVE_ORDER_HISTORY.orders),
              timeline: tableOf(LIVE_ORDER_HISTORY.timeline),
              products: tableOf(LIVE_ORDER_HISTORY.products),
            },
            definition,
            event,
          ),
      });
      const { rows } = await pool.query<{ count: string }>(`SELECT count(*) FROM "${LIVE_ORDER_HISTORY.orders}"`);
      process.stdout.write(
        `order-history rebuilt from ${result.replayed} events (+${result.caughtUp} that arrived meanwhile): ` +
          `${rows[0]?.count ?? 0} orders, swapped in after ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
    } finally {
      await nc.close();
    }
  } catch (error) {
    process.stderr.write(`order-history rebuild failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await pool.end();
  }
}

void main();
