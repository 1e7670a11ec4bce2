import type { Pool, QueryConfig } from 'pg';
import { withConnection } from '@storefront/persistence';
import type { SqlTransaction } from './outbox';

/** A transaction on a plain pg connection: the library's statements, and queries that return rows. */
export interface PgTransaction extends SqlTransaction {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

export interface PgTransactionOptions {
  /**
   * Runs statements as named prepared statements, so PostgreSQL parses and plans each text once per
   * connection instead of on every execution. For a process whose statements are a small fixed set
   * (the texts are cached by content, at most `MAX_PREPARED` of them; later ones run unprepared).
   */
  readonly prepare?: boolean;
}

/** Statement texts named for preparation, per process; one name per text on every connection. */
const MAX_PREPARED = 500;
const preparedNames = new Map<string, string>();

function queryOf(text: string, values: unknown[], prepare: boolean): QueryConfig {
  if (!prepare) return { text, values };
  let name = preparedNames.get(text);
  if (name === undefined && preparedNames.size < MAX_PREPARED) {
    name = `sf${preparedNames.size}`;
    preparedNames.set(text, name);
  }
  return name === undefined ? { text, values } : { name, text, values };
}

/**
 * A TransactionRunner on a plain pg pool, for code without Prisma (benchmarks, tests, scripts) and
 * for hot paths where Prisma's per-query cost dominates (order's saga; see docs/bench.md).
 */
export function pgTransactionRunner(
  pool: Pool,
  options: PgTransactionOptions = {},
): <T>(work: (tx: PgTransaction) => Promise<T>) => Promise<T> {
  const prepare = options.prepare ?? false;
  return <T>(work: (tx: PgTransaction) => Promise<T>): Promise<T> =>
    withConnection(pool, async (client) => {
      try {
        await client.query('BEGIN');
        const tx: PgTransaction = {
          $executeRawUnsafe: async (query: string, ...values: unknown[]) =>
            (await client.query(queryOf(query, values, prepare))).rowCount ?? 0,
          $queryRawUnsafe: async <R>(query: string, ...values: unknown[]) =>
            (await client.query(queryOf(query, values, prepare))).rows as R,
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
