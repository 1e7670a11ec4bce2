import type { TestStack } from '@storefront/devstack/testing';
import { Client } from 'pg';

/** The tables a request could change, per service. */
const TABLES: Readonly<Record<string, readonly string[]>> = {
  catalog: ['products', 'categories'],
  inventory: ['stock', 'reservations'],
  order: ['orders', 'order_lines', 'idempotency_keys'],
  payment: ['payments'],
};

/**
 * A digest of every row of every table above, in every service's database: equal digests before
 * and after mean a request changed nothing.
 */
export async function databaseDigest(stack: TestStack): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const [service, tables] of Object.entries(TABLES)) {
    const client = new Client({ connectionString: stack.service(service).databaseUrl });
    await client.connect();
    try {
      for (const table of tables) {
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
