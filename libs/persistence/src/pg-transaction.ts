import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Query, type Connection, type Pool, type PoolClient, type QueryConfig, type QueryResult } from 'pg';
import { prepareValue } from 'pg/lib/utils';
import { withConnection } from './connection';
import type { SqlStatement } from './statement';

/**
 * What a repository needs of a transaction: statements with `$1, $2, …` parameters, and their rows.
 * A PgTransaction is one; a Prisma interactive transaction client is one too. Rows come as pg
 * parses them (a bigint column as a string; Prisma's raw queries give a BigInt).
 */
export interface SqlClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
  /** A PgTransaction's write left for later (see there); other clients have none. */
  $executeRawLater?(query: string, ...values: unknown[]): void;
  /** A PgTransaction's work after its commit (see there); other clients have none. */
  $afterCommit?(callback: () => void): void;
}

/**
 * A write whose result nobody reads: left for later on a transaction that can (with its next
 * statement or its COMMIT, see PgTransaction), run now on any other client. Its failure fails the
 * transaction either way; on a PgTransaction it is thrown by the runner instead of here.
 */
export async function executeLater(
  client: Pick<SqlClient, '$executeRawUnsafe' | '$executeRawLater'>,
  statement: SqlStatement,
): Promise<void> {
  if (client.$executeRawLater) client.$executeRawLater(statement.sql, ...statement.values);
  else await client.$executeRawUnsafe(statement.sql, ...statement.values);
}

/** A transaction on a plain pg connection. */
export interface PgTransaction extends SqlClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
  /**
   * A write whose result the work does not read, sent when the transaction next needs the server:
   * ahead of its next statement in that statement's round trip, or with its `COMMIT` when it is the
   * last (docs/bench.md, items 48–49). It fails the transaction as any statement does, only later:
   * the error comes out of the statement it went with, or out of the runner, never out of this call.
   */
  $executeRawLater(query: string, ...values: unknown[]): void;
  /**
   * Runs `callback` once the transaction has committed, right after the COMMIT's answer and before
   * the runner returns; never after a rollback, nor when the COMMIT's outcome is unknown (its
   * connection broke). For work that must not happen unless the writes are durable and may be
   * lost if the process dies right then, such as publishing the transaction's outbox rows
   * (@storefront/messaging, whose relay publishes whatever that missed). A callback that throws
   * does not fail the transaction, which has committed; it goes to the runner's `onAfterCommitError`.
   */
  $afterCommit(callback: () => void): void;
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
  /** Where an error thrown by work after commit goes (`$afterCommit`); a process warning by default. */
  readonly onAfterCommitError?: (error: unknown) => void;
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

/** A write that goes ahead of a statement in its exchange: prepared on the connection, or unnamed. */
interface LeadingWrite {
  readonly name?: string;
  readonly text: string;
  readonly values: readonly unknown[];
}

/** What goes out with a statement, in its one round trip. */
export interface StatementAround {
  /** `BEGIN` before it: the transaction opens with its first statement. */
  readonly begin?: boolean;
  /** Writes left for later, after `BEGIN` and before it, in order (their results are not read). */
  readonly leading?: readonly LeadingWrite[];
  /** `COMMIT` after it: the transaction ends with its last statement. */
  readonly commit?: boolean;
}

/** Whether a named statement is known to be prepared on the client's connection (its Parse completed). */
function preparedOn(client: PoolClient, name: string, text: string): boolean {
  return (client as unknown as { connection: { parsedStatements: Record<string, string> } }).connection.parsedStatements[name] === text;
}

/** An unnamed statement without parameters: Parse/Bind/Execute, no Describe (its result has no rows). */
function sendBare(connection: Connection, text: string): void {
  connection.parse({ text, name: '', types: [] }, false);
  connection.bind({ portal: '', statement: '', values: [] }, false);
  connection.execute({ portal: '', rows: 0 } as never, false);
}

/**
 * A statement with what goes around it (StatementAround) in the same write: `BEGIN`, the later
 * writes and the statement, `COMMIT`, each its own Parse/Bind/Execute, then one Sync, so none of them
 * costs a round trip of its own. An error makes the server skip what follows up to the Sync (the
 * `COMMIT` too) and leaves the transaction open and failed, as after separate statements; the
 * runner rolls it back.
 *
 * A named statement not yet prepared on the connection is parsed before `BEGIN`: pg takes any
 * ParseComplete of the exchange as its statement's, so `BEGIN`'s must not come first, or a statement
 * that then fails to parse would count as prepared on that connection.
 */
class Exchange extends Query {
  around: StatementAround = {};

  prepare(connection: Connection): void {
    const self = this as unknown as ExtendedQuery;
    const leading = this.around.leading ?? [];
    if (this.around.begin || leading.length > 0) {
      if (self.name && !self.hasBeenParsed(connection)) {
        connection.parse({ text: self.text, name: self.name, types: self.types ?? [] }, false);
        // As pg's own prepare records it, so that the statement's messages below skip the Parse.
        (connection as unknown as { submittedNamedStatements: Record<string, string> }).submittedNamedStatements[self.name] = self.text;
      }
      if (this.around.begin) sendBare(connection, 'BEGIN');
      // A later write goes ahead only when prepared on this connection (Bind/Execute) or unnamed
      // (Parse/Bind/Execute): a named one's first Parse goes alone, so that pg records it as prepared.
      for (const write of leading) {
        if (!write.name) connection.parse({ text: write.text, name: '', types: [] }, false);
        connection.bind({ portal: '', statement: write.name ?? '', values: [...write.values], valueMapper: prepareValue } as never, false);
        // Described like any statement, so a write that returns a row (`SELECT pg_advisory_xact_lock(…)`)
        // has the fields pg needs to read it; its result is not read.
        connection.describe({ type: 'P', name: '' }, false);
        connection.execute({ portal: '', rows: 0 } as never, false);
      }
    }
    (Query.prototype as unknown as ExtendedQuery).prepare.call(this, connection);
  }

  /** pg's last step of prepare(): Execute, then Sync; the COMMIT goes between them. */
  _getRows(connection: Connection, rows: number | undefined): void {
    if (!this.around.commit) {
      (Query.prototype as unknown as { _getRows(connection: Connection, rows: number | undefined): void })._getRows.call(
        this,
        connection,
        rows,
      );
      return;
    }
    connection.execute({ portal: (this as unknown as { portal?: string }).portal ?? '', rows: 0 } as never, false);
    sendBare(connection, 'COMMIT');
    connection.sync();
  }
}

/** Runs the statement with what goes around it in one round trip; the statement's own result. */
function exchange(client: PoolClient, config: QueryConfig, around: StatementAround): Promise<QueryResult> {
  return new Promise((resolve, reject) => {
    // queryMode 'extended': even a statement without values goes by Parse/Bind/Execute, after BEGIN's.
    const query = new Exchange({ ...config, queryMode: 'extended' } as QueryConfig, (error, results) => {
      if (error) reject(error);
      // One result per command: BEGIN's, the later writes', the statement's, COMMIT's.
      else resolve((Array.isArray(results) ? results[(around.begin ? 1 : 0) + (around.leading?.length ?? 0)] : results) as QueryResult);
    });
    query.around = around;
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
 * with what goes around it (`BEGIN`, later writes, `COMMIT`) in the same round trip (see Exchange).
 */
export function statementRunner(
  options: PgTransactionOptions,
): (client: PoolClient, text: string, values: unknown[], around?: StatementAround) => Promise<QueryResult> {
  const prepare = options.prepare ?? false;
  const execute = (client: PoolClient, text: string, values: unknown[], around: StatementAround = {}) => {
    const config = queryOf(text, values, prepare);
    return around.begin || around.commit || around.leading?.length ? exchange(client, config, around) : client.query(config);
  };
  if (!options.traceQueries) return execute;
  return (client, text, values, around) =>
    inSpan('pg:query', { 'db.query.text': text, 'db.operation.name': text.trimStart().split(/\s/, 1)[0]?.toUpperCase() ?? '' }, () =>
      execute(client, text, values, around),
    );
}

/** The default `onAfterCommitError`. */
function warnAfterCommit(error: unknown): void {
  process.emitWarning(`work after commit failed: ${(error as Error | undefined)?.stack ?? String(error)}`, 'AfterCommitWarning');
}

/**
 * A TransactionRunner on a plain pg pool: BEGIN, the work's statements, COMMIT (ROLLBACK when it
 * throws). Services get one from DatabaseClientModule (SqlDatabase); code without Nest
 * (benchmarks, tests, scripts) calls this directly.
 *
 * `BEGIN` goes out with the transaction's first statement, writes left for later
 * (`$executeRawLater`) with the statement after them, and `COMMIT` with the last of them: no round
 * trip of their own (docs/bench.md, items 24, 48 and 49). A transaction that runs no statement
 * opens none.
 */
export function pgTransactionRunner(
  pool: Pool,
  options: PgTransactionOptions = {},
): <T>(work: (tx: PgTransaction) => Promise<T>) => Promise<T> {
  const run = statementRunner(options);
  const prepare = options.prepare ?? false;
  const onAfterCommitError = options.onAfterCommitError ?? warnAfterCommit;
  const transaction = <T>(work: (tx: PgTransaction) => Promise<T>): Promise<T> =>
    withConnection(pool, async (client) => {
      let begun = false;
      /** Writes left for later, in the order given; they go out ahead of the next statement. */
      const later: { query: string; values: unknown[] }[] = [];
      const committed: (() => void)[] = [];
      const send = (query: string, values: unknown[], leading: LeadingWrite[] = [], commit = false): Promise<QueryResult> => {
        const begin = !begun;
        begun = true;
        return run(client, query, values, { begin, leading, commit });
      };
      /** The statement, with the later writes ahead of it in its exchange (one not yet prepared here goes on its own first). */
      const statement = async (query: string, values: unknown[], commit = false): Promise<QueryResult> => {
        let leading: LeadingWrite[] = [];
        for (const write of later.splice(0)) {
          const { name } = queryOf(write.query, write.values, prepare);
          if (name === undefined || preparedOn(client, name, write.query)) {
            leading.push({ ...(name === undefined ? {} : { name }), text: write.query, values: write.values });
          } else {
            await send(write.query, write.values, leading);
            leading = [];
          }
        }
        return send(query, values, leading, commit);
      };
      try {
        const tx: PgTransaction = {
          $executeRawUnsafe: async (query: string, ...values: unknown[]) => (await statement(query, values)).rowCount ?? 0,
          $queryRawUnsafe: async <R>(query: string, ...values: unknown[]) => (await statement(query, values)).rows as R,
          $executeRawLater: (query: string, ...values: unknown[]) => void later.push({ query, values }),
          $afterCommit: (callback: () => void) => void committed.push(callback),
        };
        const result = await work(tx);
        const last = later.pop();
        if (last) await statement(last.query, last.values, true);
        else if (begun) await client.query('COMMIT');
        // The transaction has committed whatever a callback does.
        for (const callback of committed) {
          try {
            callback();
          } catch (error) {
            onAfterCommitError(error);
          }
        }
        return result;
      } catch (error) {
        if (begun) await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  if (!options.traceQueries) return transaction;
  return <T>(work: (tx: PgTransaction) => Promise<T>) => inSpan('pg:transaction', {}, () => transaction(work));
}
