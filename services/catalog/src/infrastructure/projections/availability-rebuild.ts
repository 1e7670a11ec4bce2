import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { type EnvelopeOf, StockChangedV1 } from '@storefront/contracts';
import { type Namespace, type SqlTransaction, replayHistory } from '@storefront/messaging';
import type { Pool, PoolClient } from 'pg';
import {
  AVAILABILITY_REBUILD_TABLE as REBUILD,
  AVAILABILITY_TABLE as LIVE,
  AvailabilityProjection,
  type AvailabilityTable,
} from '../../application/projections/availability.projection';

const OLD = `${LIVE}_old`;
/** Key of the advisory lock that lets one rebuild run at a time (they share the rebuild table). */
const REBUILD_LOCK = 'catalog.product_availability.rebuild';
/** How long the swap waits for the live table; readers queue behind it meanwhile. */
const SWAP_LOCK_TIMEOUT = '5s';

export interface AvailabilityRebuildResult {
  /** Events replayed into the rebuild table before the swap. */
  readonly replayed: number;
  /** Events that arrived during the rebuild, applied to the live table after the swap. */
  readonly caughtUp: number;
  /** Rows of the live table at the end. */
  readonly rows: number;
  /** Per stream, the sequence the rebuild has read up to. */
  readonly lastSequences: Readonly<Record<string, number>>;
}

/** Tells which stage failed, so the operator knows whether the live table changed. */
export class AvailabilityRebuildError extends Error {
  override readonly name = 'AvailabilityRebuildError';
  readonly code = 'CATALOG.REBUILD_FAILED';

  constructor(
    message: string,
    /** Whether the rebuilt table had already replaced the live one. */
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
 * Rebuilds product_availability from the INVENTORY stream's history while readers keep reading it:
 * fills product_availability_rebuild, swaps it in with renames in one short transaction, then
 * applies the events that arrived meanwhile to the live table. Safe while the catalog runs: the
 * projection's upsert keeps the newest event whoever applies it, and in whatever order.
 */
export async function rebuildAvailability(options: {
  pool: Pool;
  js: JetStreamClient;
  jsm: JetStreamManager;
  namespace: Namespace;
  projection?: AvailabilityProjection;
  log?: (line: string) => void;
}): Promise<AvailabilityRebuildResult> {
  const projection = options.projection ?? new AvailabilityProjection();
  const log = options.log ?? (() => undefined);
  const client = await options.pool.connect();
  const tx = onClient(client);
  const replay = (table: AvailabilityTable, after?: Readonly<Record<string, number>>) =>
    replayHistory({
      js: options.js,
      jsm: options.jsm,
      namespace: options.namespace,
      definitions: [StockChangedV1],
      ...(after ? { after } : {}),
      apply: async (_definition, event) => {
        await projection.apply(tx, event as EnvelopeOf<typeof StockChangedV1>, table);
      },
    });
  let ownsRebuildTable = false;
  let swapped = false;
  try {
    const { rows: locked } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [REBUILD_LOCK]);
    if (!locked[0]?.ok) throw new Error(`another rebuild of ${LIVE} is running`);
    const stream = options.namespace.stream(StockChangedV1.stream);
    await options.jsm.streams.info(stream).catch((error: unknown) => {
      throw new Error(`cannot read stream ${stream} (check NATS_URL and MESSAGING_NAMESPACE): ${(error as Error).message}`, {
        cause: error,
      });
    });
    ownsRebuildTable = true;
    await client.query(`DROP TABLE IF EXISTS "${REBUILD}"`); // left by a rebuild that was killed
    await client.query(`CREATE TABLE "${REBUILD}" (LIKE "${LIVE}" INCLUDING ALL)`);

    // One transaction: nobody reads the table yet, and one commit is far faster than one per event.
    await client.query('BEGIN');
    const history = await replay(REBUILD);
    await client.query('COMMIT');
    log(`replayed ${history.applied} stock-changed events into ${REBUILD}`);

    await client.query('BEGIN');
    await client.query(`SET LOCAL lock_timeout = '${SWAP_LOCK_TIMEOUT}'`);
    // Readers and the consumer wait here for the moment of the swap, then find the new table by name.
    await client.query(`LOCK TABLE "${LIVE}" IN ACCESS EXCLUSIVE MODE`);
    await client.query(`ALTER TABLE "${LIVE}" RENAME TO "${OLD}"`);
    await client.query(`ALTER TABLE "${REBUILD}" RENAME TO "${LIVE}"`);
    await client.query(`DROP TABLE "${OLD}"`);
    await restoreIndexNames(client);
    await client.query('COMMIT');
    swapped = true;
    log(`swapped ${REBUILD} in as ${LIVE}`);

    // What the consumer applied to the old table after the replay's end went with it.
    const tail = await replay(LIVE, history.lastSequences);
    const { rows } = await client.query<{ count: string }>(`SELECT count(*) AS count FROM "${LIVE}"`);
    return {
      replayed: history.applied,
      caughtUp: tail.applied,
      rows: Number(rows[0]?.count ?? 0),
      lastSequences: tail.lastSequences,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (ownsRebuildTable) await client.query(`DROP TABLE IF EXISTS "${REBUILD}"`).catch(() => undefined);
    const message = swapped
      ? `the rebuilt ${LIVE} is live, but applying the events that arrived during the rebuild failed ` +
        `(run the rebuild again): ${(error as Error).message}`
      : `${LIVE} is unchanged: ${(error as Error).message}`;
    throw new AvailabilityRebuildError(message, swapped, { cause: error });
  } finally {
    await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
    client.release();
  }
}

/**
 * LIKE gives the copy's indexes new names (index names are unique per schema); once the old table
 * is dropped, its names are free again, so the live table keeps the names its migration gave it.
 */
async function restoreIndexNames(client: PoolClient): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    'SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1',
    [LIVE],
  );
  for (const { name } of rows) {
    if (name.startsWith(REBUILD)) await client.query(`ALTER INDEX "${name}" RENAME TO "${LIVE}${name.slice(REBUILD.length)}"`);
  }
}
