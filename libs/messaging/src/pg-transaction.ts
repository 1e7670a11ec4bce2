import { Query, type Connection, type Pool, type PoolClient, type QueryConfig, type QueryResult } from 'pg';
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

/**
 * A TransactionRunner on a plain pg pool, for code without Prisma (benchmarks, tests, scripts) and
 * for hot paths where Prisma's per-query cost dominates (order's saga; see docs/bench.md).
 *
 * `BEGIN` goes out with the transaction's first statement (one round trip fewer per transaction,
 * docs/bench.md); a transaction that runs no statement opens none.
 */
export function pgTransactionRunner(
  pool: Pool,
  options: PgTransactionOptions = {},
): <T>(work: (tx: PgTransaction) => Promise<T>) => Promise<T> {
  const prepare = options.prepare ?? false;
  return <T>(work: (tx: PgTransaction) => Promise<T>): Promise<T> =>
    withConnection(pool, async (client) => {
      let begun = false;
      const run = (query: string, values: unknown[]): Promise<QueryResult> => {
        const config = queryOf(query, values, prepare);
        if (begun) return client.query(config);
        begun = true;
        return beginThen(client, config);
      };
      try {
        const tx: PgTransaction = {
          $executeRawUnsafe: async (query: string, ...values: unknown[]) => (await run(query, values)).rowCount ?? 0,
          $queryRawUnsafe: async <R>(query: string, ...values: unknown[]) => (await run(query, values)).rows as R,
        };
        const result = await work(tx);
        if (begun) await client.query('COMMIT');
        return result;
      } catch (error) {
        if (begun) await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
}
