import { Injectable } from '@nestjs/common';
import type { EnvelopeOf, StockChangedV1 } from '@storefront/contracts';
import type { SqlTransaction } from '@storefront/messaging';
import { executeLater } from '@storefront/persistence';

/** The live read model, and the table a rebuild fills before it takes the live one's place. */
export const AVAILABILITY_TABLE = 'product_availability';
const AVAILABILITY_REBUILD_TABLE = 'product_availability_rebuild';
export type AvailabilityTable = typeof AVAILABILITY_TABLE | typeof AVAILABILITY_REBUILD_TABLE;

// One statement, so concurrent deliveries for a SKU need no lock of ours: the row (locked by the
// upsert) takes the event's levels unless it holds those of a newer change. Newer means a higher
// version, the number inventory gives each change of a SKU under its row lock; only when either
// side has no version (events from before it existed) does the later occurredAt decide. Times alone
// are not enough: a change takes its time before it waits for the lock, so times can run backwards.
// The same event again writes the same levels.
const upsert = (table: AvailabilityTable) =>
  `INSERT INTO "${table}" ("sku", "available", "reserved", "sold", "version", "last_event_at", "updated_at") ` +
  'VALUES ($1, $2, $3, $4, $5::bigint, $6::timestamptz, CURRENT_TIMESTAMP) ' +
  'ON CONFLICT ("sku") DO UPDATE SET "available" = EXCLUDED."available", "reserved" = EXCLUDED."reserved", ' +
  '"sold" = EXCLUDED."sold", "version" = EXCLUDED."version", "last_event_at" = EXCLUDED."last_event_at", ' +
  '"updated_at" = EXCLUDED."updated_at" ' +
  `WHERE CASE WHEN "${table}"."version" IS NOT NULL AND EXCLUDED."version" IS NOT NULL ` +
  `THEN "${table}"."version" <= EXCLUDED."version" ELSE "${table}"."last_event_at" <= EXCLUDED."last_event_at" END`;

const UPSERT: Record<AvailabilityTable, string> = {
  [AVAILABILITY_TABLE]: upsert(AVAILABILITY_TABLE),
  [AVAILABILITY_REBUILD_TABLE]: upsert(AVAILABILITY_REBUILD_TABLE),
};

/**
 * Availability per SKU from inventory.stock-changed.v1, which carries the new levels after every
 * change: the newest change (highest version) wins, whatever order events arrive in. Used by the consumer (in its
 * inbox transaction) and by the rebuild (into the rebuild table).
 */
@Injectable()
export class AvailabilityProjection {
  /** Returns whether the row changed (false for an event older than the one it holds). */
  async apply(
    tx: SqlTransaction,
    event: EnvelopeOf<typeof StockChangedV1>,
    table: AvailabilityTable = AVAILABILITY_TABLE,
  ): Promise<boolean> {
    return (await tx.$executeRawUnsafe(UPSERT[table], ...valuesOf(event))) > 0;
  }

  /**
   * apply() to the live table for the consumer, which does not read the outcome: the upsert goes
   * with the transaction's COMMIT (executeLater), so the consumer's transaction (inbox row, upsert,
   * COMMIT) is one round trip.
   */
  async applyLater(tx: SqlTransaction, event: EnvelopeOf<typeof StockChangedV1>): Promise<void> {
    await executeLater(tx, { sql: UPSERT[AVAILABILITY_TABLE], values: valuesOf(event) });
  }
}

function valuesOf(event: EnvelopeOf<typeof StockChangedV1>): unknown[] {
  const { sku, available, reserved, sold, version } = event.payload;
  return [sku, available, reserved, sold, version ?? null, event.occurredAt];
}
