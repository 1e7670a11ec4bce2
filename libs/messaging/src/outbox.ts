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
  /** Work once the transaction has committed (PgTransaction of @storefront/persistence); Prisma's has none. */
  $afterCommit?(callback: () => void): void;
}

/** Runs work in one database transaction: commits when it resolves, rolls back when it throws. */
export type TransactionRunner = <T>(work: (tx: SqlTransaction) => Promise<T>) => Promise<T>;

/** An outbox row as it is written and published: the envelope serialized once, for both. */
export interface OutboxEntry {
  readonly id: string;
  readonly subject: string;
  readonly body: string;
  readonly traceContext: EventEnvelope['traceContext'] | null;
}

/**
 * Publishes a committed transaction's rows from the process that wrote them (OutboxRelay). The
 * rows carry `relay_after`, `graceMs` after their transaction: until then the relay leaves them
 * to this publisher, afterwards it publishes whatever is still unmarked.
 */
export interface CommittedPublisher {
  readonly graceMs: number;
  publishCommitted(entries: readonly OutboxEntry[]): void;
}

/** One statement for any number of rows: a round trip per event is most of what an outbox write costs. */
function insertOf(count: number, graceMs: number | undefined): string {
  // The database's clock, as the relay's claim compares it with its own now().
  const relayAfter = graceMs === undefined ? '' : `, now() + interval '${graceMs} milliseconds'`;
  const rows = Array.from(
    { length: count },
    (_row, index) => `($${index * 3 + 1}::uuid, $${index * 3 + 2}, $${index * 3 + 3}::jsonb${relayAfter})`,
  );
  return `INSERT INTO "outbox" ("id", "subject", "envelope"${graceMs === undefined ? '' : ', "relay_after"'}) VALUES ${rows.join(', ')}`;
}

/**
 * Records events to publish, inside the caller's transaction: they leave if and only if it
 * commits.
 *
 * - On a transaction that can run work after its commit (PgTransaction, the runner every service's
 *   consumers and hot paths use), once the service's relay runs, the process publishes the rows
 *   itself right after the commit (CommittedPublisher, docs/bench.md item 59): no claim, no second
 *   commit and no NOTIFY wake-up per transaction. The rows are written with `relay_after`, so the
 *   relay publishes them only if the process did not (it died, or NATS refused the publish).
 * - On any other (a Prisma transaction, a script's) the relay publishes them, woken by the
 *   outbox's NOTIFY at commit.
 */
export class Outbox {
  private publisher: CommittedPublisher | undefined;

  /** From now on, publishes after commit through `publisher` (undefined: leaves it all to the relay). */
  publishAfterCommit(publisher: CommittedPublisher | undefined): void {
    this.publisher = publisher;
  }

  /**
   * On a transaction of the services' plain-pg runner the insert goes out with the transaction's
   * next statement or its COMMIT (`executeLater`): the events are usually the last thing a
   * transaction writes.
   */
  async add(tx: SqlTransaction, ...events: EventEnvelope[]): Promise<void> {
    const statement = this.statement(tx, ...events);
    if (statement) await executeLater(tx, statement);
  }

  /**
   * The insert add() runs, for a caller that runs it in `tx` together with its own writes in one
   * round trip (asOneStatement of @storefront/persistence); undefined for no events. The caller
   * must run it in `tx`: the rows are published after `tx` commits.
   */
  statement(tx: SqlTransaction, ...events: EventEnvelope[]): SqlStatement | undefined {
    if (events.length === 0) return undefined;
    const entries: OutboxEntry[] = events.map((event) => ({
      id: event.id,
      subject: subjectOf(event),
      body: JSON.stringify(event),
      traceContext: event.traceContext ?? null,
    }));
    const publisher = tx.$afterCommit ? this.publisher : undefined;
    if (publisher) tx.$afterCommit?.(() => publisher.publishCommitted(entries));
    // Rows keep the order given (position is a sequence filled in VALUES order).
    return {
      sql: insertOf(entries.length, publisher?.graceMs),
      values: entries.flatMap((entry) => [entry.id, entry.subject, entry.body]),
    };
  }
}
