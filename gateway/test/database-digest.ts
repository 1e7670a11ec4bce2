import { Client } from 'pg';
import { SERVICES } from '@storefront/devstack';
import type { TestStack } from '@storefront/devstack/testing';

/** Tables of the messaging library: bookkeeping that moves on its own (relay, pruning), not state. */
const BOOKKEEPING = new Set(['outbox', 'inbox', 'inbox_horizon', '_prisma_migrations']);

/**
 * A digest of every row of every table (but the messaging bookkeeping) in the database of every
 * service that has one: equal digests before and after mean a request changed nothing.
 */
export async function databaseDigest(stack: TestStack): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const { name: service } of SERVICES.filter((definition) => definition.database)) {
    const client = new Client({ connectionString: stack.service(service).databaseUrl });
    await client.connect();
    try {
      const { rows: tableRows } = await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
      );
      for (const table of tableRows.map((row) => row.table_name).filter((name) => !BOOKKEEPING.has(name))) {
        const { rows } = await client.query<{ digest: string }>(
          `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${table}" t`,
        );
        result[`${service}.${table}`] = rows[0]?.digest ?? '';
      }
    } finally {
      await client.end();
    }
  }
  return result;
}

/**
 * The digest once the system is quiet: equal over 300 ms. Sagas finish their last steps (a stock
 * commit, a saga bookkeeping update) moments after an order reads as final; a "nothing changed"
 * comparison must start after them.
 */
export async function settledDatabaseDigest(stack: TestStack, timeoutMs = 15_000): Promise<Record<string, string>> {
  const deadline = Date.now() + timeoutMs;
  let previous = await databaseDigest(stack);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const current = await databaseDigest(stack);
    if (JSON.stringify(current) === JSON.stringify(previous)) return current;
    if (Date.now() > deadline) throw new Error(`the databases kept changing for ${timeoutMs} ms`);
    previous = current;
  }
}
