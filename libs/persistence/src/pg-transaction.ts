import type { Pool, QueryConfig } from 'pg';
import { withConnection } from './connection';

/**
 * What a repository needs of a transaction: statements with `$1, $2, …` parameters, and their rows.
 * A PgTransaction is one; a Prisma interactive transaction client is one too. Rows come as pg
 * parses them (a bigint column as a string; Prisma's raw queries give a BigInt).
 */
export interface SqlClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
}

/** A transaction on a plain pg connection. */
export interface PgTransaction extends SqlClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
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

/** The query pg runs for a statement: named (prepared) when `prepare` and the cache has room. */
export function queryOf(text: string, values: unknown[], prepare: boolean): QueryConfig {
  if (!prepare) return { text, values };
  let name = preparedNames.get(text);
  if (name === undefined && preparedNames.size < MAX_PREPARED) {
    name = `sf${preparedNames.size}`;
    preparedNames.set(text, name);
  }
  return name === undefined ? { text, values } : { name, text, values };
}

/**
 * A TransactionRunner on a plain pg pool: BEGIN, the work's statements, COMMIT (ROLLBACK when it
 * throws). Services get one from DatabaseClientModule (SqlTransactions); code without Nest
 * (benchmarks, tests, scripts) calls this directly.
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
