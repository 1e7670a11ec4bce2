import type { Pool } from 'pg';
import { withConnection } from '@storefront/persistence';
import type { SqlTransaction, TransactionRunner } from './outbox';

/**
 * A TransactionRunner on a plain pg pool, for code without Prisma (benchmarks, tests, scripts).
 * Services pass their Prisma client's `$transaction` instead.
 */
export function pgTransactionRunner(pool: Pool): TransactionRunner {
  return <T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> =>
    withConnection(pool, async (client) => {
      try {
        await client.query('BEGIN');
        const tx: SqlTransaction = {
          $executeRawUnsafe: async (query: string, ...values: unknown[]) => (await client.query(query, values)).rowCount ?? 0,
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
