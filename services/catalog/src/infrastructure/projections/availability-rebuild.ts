import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Pool } from 'pg';
import { StockChangedV1, type EnvelopeOf } from '@storefront/contracts';
import { rebuildProjection, type Namespace, type ProjectionRebuildResult } from '@storefront/messaging';
import { AvailabilityProjection, AVAILABILITY_TABLE as LIVE, type AvailabilityTable } from './availability.projection';

export interface AvailabilityRebuildResult extends ProjectionRebuildResult {
  /** Rows of the live table at the end. */
  readonly rows: number;
}

/**
 * Rebuilds product_availability from the INVENTORY stream's history while readers keep reading it
 * (see rebuildProjection). Safe while the catalog runs: the projection's upsert keeps the newest
 * event whoever applies it, and in whatever order.
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
  const result = await rebuildProjection({
    name: LIVE,
    pool: options.pool,
    js: options.js,
    jsm: options.jsm,
    namespace: options.namespace,
    tables: [LIVE],
    definitions: [StockChangedV1],
    apply: async (tx, tableOf, _definition, event) => {
      await projection.apply(tx, event as EnvelopeOf<typeof StockChangedV1>, tableOf(LIVE) as AvailabilityTable);
    },
    ...(options.log ? { log: options.log } : {}),
  });
  const { rows } = await options.pool.query<{ count: string }>(`SELECT count(*) AS count FROM "${LIVE}"`);
  return { ...result, rows: Number(rows[0]?.count ?? 0) };
}
