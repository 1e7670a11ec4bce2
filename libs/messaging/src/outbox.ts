import type { EventEnvelope } from '@storefront/contracts';
import { executeLater, type SqlStatement } from '@storefront/persistence';
import { subjectOf } from './event-factory';

/**
 * The part of a database transaction the library needs. A Prisma interactive transaction client
 * (`prisma.$transaction(async (tx) => ...)`) is one, so the outbox joins the caller's transaction.
 */
export interface SqlTransaction {
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
  /** A write left for the transaction's next statement or its COMMIT (PgTransaction of @storefront/persistence). */
  $executeRawLater?(query: string, ...values: unknown[]): void;
}

/** Runs work in one database transaction: commits when it resolves, rolls back when it throws. */
export type TransactionRunner = <T>(work: (tx: SqlTransaction) => Promise<T>) => Promise<T>;

/** One statement for any number of rows: a round trip per event is most of what an outbox write costs. */
function insertOf(count: number): string {
  const rows = Array.from({ length: count }, (_row, index) => `($${index * 3 + 1}::uuid, $${index * 3 + 2}, $${index * 3 + 3}::jsonb)`);
  return `INSERT INTO "outbox" ("id", "subject", "envelope") VALUES ${rows.join(', ')}`;
}

/**
 * Records events to publish, inside the caller's transaction: they leave if and only if it
 * commits. The relay (OutboxRelay) publishes them to JetStream afterwards.
 */
export class Outbox {
  /**
   * On a transaction of the services' plain-pg runner the insert goes out with the transaction's
   * next statement or its COMMIT (`executeLater`): the events are usually the last thing a
   * transaction writes.
   */
  async add(tx: SqlTransaction, ...events: EventEnvelope[]): Promise<void> {
    const statement = this.statement(...events);
    if (statement) await executeLater(tx, statement);
  }

  /**
   * The insert add() runs, for a caller that runs it together with its own writes in one round
   * trip (asOneStatement of @storefront/persistence); undefined for no events.
   */
  statement(...events: EventEnvelope[]): SqlStatement | undefined {
    if (events.length === 0) return undefined;
    // Rows keep the order given (position is a sequence filled in VALUES order).
    return { sql: insertOf(events.length), values: events.flatMap((event) => [event.id, subjectOf(event), JSON.stringify(event)]) };
  }
}
