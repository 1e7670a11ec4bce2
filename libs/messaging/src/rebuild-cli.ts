import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Pool } from 'pg';
import { databaseConfigSchema, loadConfig } from '@storefront/service-kit';
import { natsConfigSchema } from './config';
import { connectNats } from './jetstream';
import { Namespace } from './namespace';

/** What a projection's rebuild gets: the service's database and JetStream, and a progress log. */
export interface RebuildContext {
  readonly pool: Pool;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly namespace: Namespace;
  readonly log: (line: string) => void;
}

/** Rebuilds one projection; resolves with the summary line to print. */
export type ProjectionRebuilder = (context: RebuildContext) => Promise<string>;

/**
 * The `projection:rebuild <projection>` command of a service (its
 * `src/infrastructure/projections/projection-rebuild.ts` only names its projections). Reads
 * DATABASE_URL, NATS_URL and MESSAGING_NAMESPACE; safe to run while the service runs (see
 * rebuildProjection). Exits 1 with the known projections for an unknown one, and 1 with the reason
 * when the rebuild fails.
 */
export async function runProjectionRebuildCli(
  service: string,
  projections: Readonly<Record<string, ProjectionRebuilder>>,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  const [name] = argv;
  const rebuild = name === undefined ? undefined : projections[name];
  if (!name || !rebuild) {
    process.stderr.write(`usage: projection:rebuild <projection>; known projections: ${Object.keys(projections).join(', ')}\n`);
    process.exitCode = 1;
    return;
  }
  const config = loadConfig(databaseConfigSchema.extend(natsConfigSchema.shape));
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 2 });
  pool.on('error', () => undefined); // a broken idle connection fails the next query instead
  try {
    const nc = await connectNats(config.NATS_URL, `${service}-${name}-rebuild`).catch((error: unknown) => {
      throw new Error(`cannot reach NATS at ${config.NATS_URL} (NATS_URL): ${(error as Error).message}`, { cause: error });
    });
    try {
      const summary = await rebuild({
        pool,
        js: jetstream(nc),
        jsm: await jetstreamManager(nc),
        namespace: new Namespace(config.MESSAGING_NAMESPACE),
        log: (line) => process.stdout.write(`${name}: ${line}\n`),
      });
      process.stdout.write(`${summary}\n`);
    } finally {
      await nc.close();
    }
  } catch (error) {
    process.stderr.write(`${name} rebuild failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await pool.end();
  }
}
