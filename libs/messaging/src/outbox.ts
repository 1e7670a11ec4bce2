import type { EventEnvelope } from '@storefront/contracts';
import { subjectOf } from './event-factory';

/**
 * The part of a database transaction the library needs. A Prisma interactive transaction client
 * (`prisma.$transaction(async (tx) => ...)`) is one, so the outbox joins the caller's transaction.
 */
export interface SqlTransaction {
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
}

/** Runs work in one database transaction: commits when it resolves, rolls back when it throws. */
export type TransactionRunner = <T>(work: (tx: SqlTransaction) => Promise<T>) => Promise<T>;

const INSERT = 'INSERT INTO "outbox" ("id", "subject", "envelope") VALUES ($1::uuid, $2, $3::jsonb)';

/**
 * Records events to publish, inside the caller's transaction: they leave if and only if it
 * commits. The relay (OutboxRelay) publishes them to JetStream afterwards.
 */
export class Outbox {
  async add(tx: SqlTransaction, ...events: EventEnvelope[]): Promise<void> {
    for (const event of events) {
      await tx.$executeRawUnsafe(INSERT, event.id, subjectOf(event), JSON.stringify(event));
    }
  }
}
