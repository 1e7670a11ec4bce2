import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Namespace, connectNats } from '@storefront/messaging';
import { databaseConfigSchema, loadConfig, natsConfigSchema } from '@storefront/service-kit';
import { Pool } from 'pg';
import { rebuildAvailability } from './availability-rebuild';

// `pnpm --filter @storefront/catalog projection:rebuild availability` (in the image:
// `node dist/infrastructure/projections/projection-rebuild.js availability`). Reads DATABASE_URL,
// NATS_URL and MESSAGING_NAMESPACE; safe to run while the catalog runs.
const PROJECTIONS = ['availability'] as const;

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!PROJECTIONS.includes(name as (typeof PROJECTIONS)[number])) {
    process.stderr.write(`usage: projection:rebuild <projection>; known projections: ${PROJECTIONS.join(', ')}\n`);
    process.exit(1);
  }
  const config = loadConfig(databaseConfigSchema.extend(natsConfigSchema.shape));
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 2 });
  pool.on('error', () => undefined); // a broken idle connection fails the next query instead
  const write = (line: string) => process.stdout.write(`${name}: ${line}\n`);
  const started = Date.now();
  try {
    const nc = await connectNats(config.NATS_URL, 'catalog-projection-rebuild').catch((error: unknown) => {
      throw new Error(`cannot reach NATS at ${config.NATS_URL} (NATS_URL): ${(error as Error).message}`, { cause: error });
    });
    try {
      const result = await rebuildAvailability({
        pool,
        js: jetstream(nc),
        jsm: await jetstreamManager(nc),
        namespace: new Namespace(config.MESSAGING_NAMESPACE),
        log: write,
      });
      const upTo = Object.entries(result.lastSequences).map(([stream, sequence]) => `${stream} sequence ${sequence}`);
      write(
        `applied ${result.caughtUp} events that arrived during the rebuild; ${result.rows} rows, ` +
          `up to ${upTo.join(', ')}, in ${((Date.now() - started) / 1_000).toFixed(1)} s`,
      );
    } finally {
      await nc.close();
    }
  } catch (error) {
    console.error(`${name} rebuild failed: ${(error as Error).message}`);
    process.exitCode = 1;
  } finally {
    await pool.end();
  }
}

void main();
