import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Pool, PoolClient } from 'pg';
import type { EnvelopeOf, EventDefinition } from '@storefront/contracts';
import { withConnection } from '@storefront/persistence';
import type { Namespace } from './namespace';
import type { SqlTransaction } from './outbox';
import { replayHistory } from './replay';

/** How long the swap waits for the live tables; readers queue behind it meanwhile. */
const SWAP_LOCK_TIMEOUT = '5s';

export interface ProjectionRebuildResult {
  /** Events replayed into the rebuild tables before the swap. */
  readonly replayed: number;
  /** Events that arrived during the rebuild, applied to the live tables after the swap. */
  readonly caughtUp: number;
  /** Per stream, the sequence the rebuild has read up to. */
  readonly lastSequences: Readonly<Record<string, number>>;
}

/** Tells which stage failed, so the operator knows whether the live tables changed. */
export class ProjectionRebuildError extends Error {
  override readonly name = 'ProjectionRebuildError';

  constructor(
    message: string,
    /** Whether the rebuilt tables had already replaced the live ones. */
    readonly swapped: boolean,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/** Statements on one connection, each committed alone unless the caller opened a transaction. */
function onClient(client: PoolClient): SqlTransaction {
  return { $executeRawUnsafe: async (query, ...values) => (await client.query(query, values)).rowCount ?? 0 };
}

/**
 * Rebuilds a read model from the event history while readers keep reading it:
 *
 * 1. creates `<table>_rebuild` copies of its live tables (LIKE … INCLUDING ALL);
 * 2. replays the history of every stream holding `definitions` into them, in one transaction;
 * 3. swaps them in with renames in one short transaction (LOCK, rename live → _old, rebuild → live,
 *    drop _old, give the indexes back their migration's names);
 * 4. applies the events that arrived meanwhile to the live tables.
 *
 * `apply` must be idempotent and order-independent (a projection's events may be applied twice:
 * by the live consumer and by step 4). An advisory lock keeps rebuilds of one model apart.
 */
export async function rebuildProjection(options: {
  name: string;
  pool: Pool;
  js: JetStreamClient;
  jsm: JetStreamManager;
  namespace: Namespace;
  /** The live table names of the read model. */
  tables: readonly string[];
  definitions: readonly EventDefinition[];
  /** Applies one event to the tables named by `tableOf(live name)`. */
  apply: (
    tx: SqlTransaction,
    tableOf: (live: string) => string,
    definition: EventDefinition,
    event: EnvelopeOf<EventDefinition>,
  ) => Promise<void>;
  log?: (line: string) => void;
}): Promise<ProjectionRebuildResult> {
  const log = options.log ?? (() => undefined);
  const rebuildOf = (live: string) => `${live}_rebuild`;
  return withConnection(options.pool, async (client) => {
    const tx = onClient(client);
    const replay = (tableOf: (live: string) => string, after?: Readonly<Record<string, number>>) =>
      replayHistory({
        js: options.js,
        jsm: options.jsm,
        namespace: options.namespace,
        definitions: options.definitions,
        ...(after ? { after } : {}),
        apply: (definition, event) => options.apply(tx, tableOf, definition, event),
      });
    let ownsRebuildTables = false;
    let swapped = false;
    try {
      const { rows: locked } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [
        `rebuild:${options.name}`,
      ]);
      if (!locked[0]?.ok) throw new Error(`another rebuild of ${options.name} is running`);
      for (const stream of new Set(options.definitions.map((definition) => options.namespace.stream(definition.stream)))) {
        await options.jsm.streams.info(stream).catch((error: unknown) => {
          throw new Error(`cannot read stream ${stream} (check NATS_URL and MESSAGING_NAMESPACE): ${(error as Error).message}`, {
            cause: error,
          });
        });
      }
      ownsRebuildTables = true;
      for (const live of options.tables) {
        await client.query(`DROP TABLE IF EXISTS "${rebuildOf(live)}"`); // left by a rebuild that was killed
        await client.query(`CREATE TABLE "${rebuildOf(live)}" (LIKE "${live}" INCLUDING ALL)`);
      }

      // One transaction: nobody reads these tables yet, and one commit is far faster than one per event.
      await client.query('BEGIN');
      const history = await replay(rebuildOf);
      await client.query('COMMIT');
      log(`replayed ${history.applied} events into ${options.tables.map(rebuildOf).join(', ')}`);

      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = '${SWAP_LOCK_TIMEOUT}'`);
      // Readers and the consumers wait here for the moment of the swap, then find the new tables by name.
      await client.query(`LOCK TABLE ${options.tables.map((live) => `"${live}"`).join(', ')} IN ACCESS EXCLUSIVE MODE`);
      for (const live of options.tables) {
        await client.query(`ALTER TABLE "${live}" RENAME TO "${live}_old"`);
        await client.query(`ALTER TABLE "${rebuildOf(live)}" RENAME TO "${live}"`);
        await client.query(`DROP TABLE "${live}_old"`);
        await restoreIndexNames(client, live, rebuildOf(live));
      }
      await client.query('COMMIT');
      swapped = true;
      log(`swapped ${options.tables.map(rebuildOf).join(', ')} in`);

      // What the consumers applied to the old tables after the replay's end went with them.
      const tail = await replay((live) => live, history.lastSequences);
      return { replayed: history.applied, caughtUp: tail.applied, lastSequences: tail.lastSequences };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (ownsRebuildTables && !swapped) {
        for (const live of options.tables) await client.query(`DROP TABLE IF EXISTS "${rebuildOf(live)}"`).catch(() => undefined);
      }
      const message = swapped
        ? `the rebuilt ${options.name} is live, but applying the events that arrived during the rebuild failed ` +
          `(run the rebuild again): ${(error as Error).message}`
        : `${options.name} is unchanged: ${(error as Error).message}`;
      throw new ProjectionRebuildError(message, swapped, { cause: error });
    } finally {
      await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
    }
  });
}

/**
 * LIKE gives the copy's indexes new names (index names are unique per schema); once the old table
 * is dropped its names are free again, so the live table keeps the names its migration gave it.
 */
async function restoreIndexNames(client: PoolClient, live: string, rebuild: string): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    'SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1',
    [live],
  );
  for (const { name } of rows) {
    if (name.startsWith(rebuild)) await client.query(`ALTER INDEX "${name}" RENAME TO "${live}${name.slice(rebuild.length)}"`);
  }
}
