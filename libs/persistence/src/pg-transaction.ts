import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Query, type Connection, type Pool, type PoolClient, type QueryConfig, type QueryResult } from 'pg';
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

/** What pg's Query and Connection keep and do for the extended protocol (not in their type definitions). */
interface ExtendedQuery {
  readonly name?: string;
  readonly text: string;
  readonly types?: string[];
  prepare(connection: Connection): void;
  hasBeenParsed(connection: Connection): boolean;
}

/**
 * A statement preceded by `BEGIN` in the same write: Parse/Bind/Execute of `BEGIN`, then the
 * statement's own messages and one Sync, so opening the transaction costs no round trip of its
 * own. Both run in the one extended-protocol exchange; an error of the statement leaves the
 * transaction open and failed, as after a separate BEGIN, and the runner rolls it back.
 *
 * A named statement not yet prepared on the connection is parsed before `BEGIN`: pg takes any
 * ParseComplete of the exchange as its statement's, so `BEGIN`'s must not come first, or a statement
 * that then fails to parse would count as prepared on that connection.
 */
class BeginThen extends Query {
  prepare(connection: Connection): void {
    const self = this as unknown as ExtendedQuery;
    if (self.name && !self.hasBeenParsed(connection)) {
      connection.parse({ text: self.text, name: self.name, types: self.types ?? [] }, false);
      // As pg's own prepare records it, so that the statement's messages below skip the Parse.
      (connection as unknown as { submittedNamedStatements: Record<string, string> }).submittedNamedStatements[self.name] = self.text;
    }
    connection.parse({ text: 'BEGIN', name: '', types: [] }, false);
    connection.bind({ portal: '', statement: '', values: [] }, false);
    connection.execute({ portal: '', rows: 0 } as never, false);
    (Query.prototype as unknown as ExtendedQuery).prepare.call(this, connection);
  }
}

/** Runs `BEGIN` and the statement in one round trip; the statement's result. */
function beginThen(client: PoolClient, config: QueryConfig): Promise<QueryResult> {
  return new Promise((resolve, reject) => {
    // queryMode 'extended': even a statement without values goes by Parse/Bind/Execute, after BEGIN's.
    const query = new BeginThen({ ...config, queryMode: 'extended' } as QueryConfig, (error, results) => {
      if (error) reject(error);
      // One result per command: BEGIN's first, the statement's last.
      else resolve((Array.isArray(results) ? results.at(-1) : results) as QueryResult);
    });
    void client.query(query);
  });
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

/**
 * Runs one statement on `client`, as a prepared statement and in a span when the options say so;
 * with `begin`, preceded by `BEGIN` in the same round trip (see BeginThen).
 */
export function statementRunner(
  options: PgTransactionOptions,
): (client: PoolClient, text: string, values: unknown[], begin?: boolean) => Promise<QueryResult> {
  const prepare = options.prepare ?? false;
  const execute = (client: PoolClient, text: string, values: unknown[], begin = false) => {
    const config = queryOf(text, values, prepare);
    return begin ? beginThen(client, config) : client.query(config);
  };
  if (!options.traceQueries) return execute;
  return (client, text, values, begin) =>
    inSpan('pg:query', { 'db.query.text': text, 'db.operation.name': text.trimStart().split(/\s/, 1)[0]?.toUpperCase() ?? '' }, () =>
      execute(client, text, values, begin),
    );
}

/**
 * A TransactionRunner on a plain pg pool: BEGIN, the work's statements, COMMIT (ROLLBACK when it
 * throws). Services get one from DatabaseClientModule (SqlDatabase); code without Nest
 * (benchmarks, tests, scripts) calls this directly.
 *
 * `BEGIN` goes out with the transaction's first statement (one round trip fewer per transaction,
 * docs/bench.md); a transaction that runs no statement opens none.
 */
export function pgTransactionRunner(
  pool: Pool,
  options: PgTransactionOptions = {},
): <T>(work: (tx: PgTransaction) => Promise<T>) => Promise<T> {
  const run = statementRunner(options);
  const transaction = <T>(work: (tx: PgTransaction) => Promise<T>): Promise<T> =>
    withConnection(pool, async (client) => {
      let begun = false;
      const statement = (query: string, values: unknown[]): Promise<QueryResult> => {
        const first = !begun;
        begun = true;
        return run(client, query, values, first);
      };
      try {
        const tx: PgTransaction = {
          $executeRawUnsafe: async (query: string, ...values: unknown[]) => (await statement(query, values)).rowCount ?? 0,
          $queryRawUnsafe: async <R>(query: string, ...values: unknown[]) => (await statement(query, values)).rows as R,
        };
        const result = await work(tx);
        if (begun) await client.query('COMMIT');
        return result;
      } catch (error) {
        if (begun) await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  if (!options.traceQueries) return transaction;
  return <T>(work: (tx: PgTransaction) => Promise<T>) => inSpan('pg:transaction', {}, () => transaction(work));
}
