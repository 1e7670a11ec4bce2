import { Client } from 'pg';

/** The database named in a PostgreSQL connection URL. */
export function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  if (!name) throw new Error(`The URL ${redactUrl(databaseUrl)} names no database`);
  return name;
}

/** The same server and credentials, another database. */
export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The URL with its password replaced by `***`, for messages and logs. */
export function redactUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  if (url.password) url.password = '***';
  return url.toString();
}

async function withMaintenanceClient<T>(databaseUrl: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: withDatabase(databaseUrl, 'postgres') });
  client.on('error', () => undefined); // a session ended by the server fails the statement at hand instead
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Creates the database of `databaseUrl` unless it exists. Returns whether it was created. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const name = databaseName(databaseUrl);
  return withMaintenanceClient(databaseUrl, async (client) => {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
      return true;
    } catch (error) {
      // Two processes may race to create it; the loser sees duplicate_database.
      if ((error as { code?: string }).code === '42P04') return false;
      throw error;
    }
  });
}

/** How long a drop waits for sessions that are closing to end by themselves before it ends them. */
const DROP_GRACE_MS = 1_000;

/**
 * Drops the database of `databaseUrl`, disconnecting its sessions first. Sessions still closing get
 * a moment to end by themselves: pg-pool's end() resolves before its connections have closed, and a
 * session ended by the server meanwhile is an 'error' event on a pool nobody listens to any more.
 */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = databaseName(databaseUrl);
  await withMaintenanceClient(databaseUrl, async (client) => {
    const deadline = Date.now() + DROP_GRACE_MS;
    const sessions = async () =>
      Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [name])).rows[0]?.n ?? 0);
    while (Date.now() < deadline && (await sessions()) > 0) await new Promise((resolve) => setTimeout(resolve, 25));
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  });
}
