import { randomBytes } from 'node:crypto';
import { applyMigrations, dropDatabase, ensureDatabase, withDatabase } from '@storefront/persistence';

/** Server the tests create their databases on; override with TEST_DATABASE_URL. */
export const TEST_POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * A database of the test's own, named so that concurrent runs never share one, with the service's
 * migrations applied, on TEST_POSTGRES_URL's server unless `serverUrl` names another. Drop it in afterAll.
 */
export async function createTestDatabase(label: string, migrationsDir?: string, serverUrl = TEST_POSTGRES_URL): Promise<TestDatabase> {
  const name = `test_${label.replace(/\W+/g, '_')}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = withDatabase(serverUrl, name);
  await ensureDatabase(url);
  if (migrationsDir) await applyMigrations({ databaseUrl: url, migrationsDir });
  return { name, url, drop: () => dropDatabase(url) };
}
