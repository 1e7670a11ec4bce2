import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Pool, PoolClient, QueryConfig, QueryResult } from 'pg';
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
  /**
   * A span for the transaction and one for each statement (its text, never its values), as
   * Prisma's instrumentation gives Prisma's queries; off in production (TRACE_DATABASE_QUERIES).
   */
  readonly traceQueries?: boolean;
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

const tracer = trace.getTracer('@storefront/persistence');

/** Runs `work` in an active span of its own; the span records a failure. */
function inSpan<T>(name: string, attributes: Record<string, string>, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(
    name,
    { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', ...attributes } },
    async (span) => {
      try {
        return await work();
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** Runs one statement on `client`, as a prepared statement and in a span when the options say so. */
export function statementRunner(
  options: PgTransactionOptions,
): (client: PoolClient, text: string, values: unknown[]) => Promise<QueryResult> {
  const prepare = options.prepare ?? false;
  if (!options.traceQueries) return (client, text, values) => client.query(queryOf(text, values, prepare));
  return (client, text, values) =>
    inSpan('pg:query', { 'db.query.text': text, 'db.operation.name': text.trimStart().split(/\s/, 1)[0]?.toUpperCase() ?? '' }, () =>
      client.query(queryOf(text, values, prepare)),
    );
}

/**
 * A TransactionRunner on a plain pg pool: BEGIN, the work's statements, COMMIT (ROLLBACK when it
 * throws). Services get one from DatabaseClientModule (SqlDatabase); code without Nest
 * (benchmarks, tests, scripts) calls this directly.
 */
export function pgTransactionRunner(
  pool: Pool,
  options: PgTransactionOptions = {},
): <T>(work: (tx: PgTransaction) => Promise<T>) => Promise<T> {
  const run = statementRunner(options);
  const transaction = <T>(work: (tx: PgTransaction) => Promise<T>): Promise<T> =>
    withConnection(pool, async (client) => {
      try {
        await client.query('BEGIN');
        const tx: PgTransaction = {
          $executeRawUnsafe: async (query: string, ...values: unknown[]) => (await run(client, query, values)).rowCount ?? 0,
          $queryRawUnsafe: async <R>(query: string, ...values: unknown[]) => (await run(client, query, values)).rows as R,
        };
        const result = await work(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  if (!options.traceQueries) return transaction;
  return <T>(work: (tx: PgTransaction) => Promise<T>) => inSpan('pg:transaction', {}, () => transaction(work));
}
