import type { Pool } from 'pg';
import { withConnection } from '@storefront/persistence';
import type { SqlTransaction } from './outbox';

/** A transaction on a plain pg connection: the library's statements, and queries that return rows. */
export interface PgTransaction extends SqlTransaction {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/**
 * A TransactionRunner on a plain pg pool, for code without Prisma (benchmarks, tests, scripts) and
 * for hot paths where Prisma's per-query cost dominates (order's saga; see docs/bench.md).
 */
export function pgTransactionRunner(pool: Pool): <T>(work: (tx: PgTransaction) => Promise<T>) => Promise<T> {
  return <T>(work: (tx: PgTransaction) => Promise<T>): Promise<T> =>
    withConnection(pool, async (client) => {
      try {
        await client.query('BEGIN');
        const tx: PgTransaction = {
          $executeRawUnsafe: async (query: string, ...values: unknown[]) => (await client.query(query, values)).rowCount ?? 0,
          $queryRawUnsafe: async <R>(query: string, ...values: unknown[]) => (await client.query(query, values)).rows as R,
        };
        const result = await work(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
}
