import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { applyMigrations, dropDatabase, ensureDatabase, withDatabase } from '../src';

// This library sits below @storefront/testing, so it makes its own throwaway databases.
const SERVER = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

async function createTestDatabase(label: string): Promise<TestDatabase> {
  const url = withDatabase(SERVER, `test_${label}_${process.pid}_${randomBytes(4).toString('hex')}`);
  await ensureDatabase(url);
  return { url, drop: () => dropDatabase(url) };
}

const folders: string[] = [];

function migrationsFolder(migrations: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sf-migrations-'));
  folders.push(dir);
  for (const [name, sql] of Object.entries(migrations)) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('applyMigrations', () => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase('migrator');
  });

  afterEach(async () => {
    await database.drop();
    for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('applies pending migrations in name order and records them as Prisma does', async () => {
    const dir = migrationsFolder({
      '20260101000000_first': 'CREATE TABLE a (id int PRIMARY KEY);',
      '20260102000000_second': 'ALTER TABLE a ADD COLUMN name text;',
    });

    const result = await applyMigrations({ databaseUrl: database.url, migrationsDir: dir });

    expect(result.applied).toEqual(['20260101000000_first', '20260102000000_second']);
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      database.url,
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows.map((row) => row.migration_name)).toEqual(result.applied);
    const sql = readFileSync(join(dir, '20260101000000_first', 'migration.sql'));
    expect(rows[0]?.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
    expect(rows.every((row) => row.finished_at !== null && row.applied_steps_count === 1)).toBe(true);
    await expect(query(database.url, 'SELECT id, name FROM a')).resolves.toEqual([]);
  });

  it('does nothing the second time', async () => {
    const dir = migrationsFolder({ '20260101000000_first': 'CREATE TABLE a (id int);' });
    await applyMigrations({ databaseUrl: database.url, migrationsDir: dir });

    const again = await applyMigrations({ databaseUrl: database.url, migrationsDir: dir });

    expect(again).toEqual({ applied: [], alreadyApplied: ['20260101000000_first'] });
  });

  it('rolls a failed migration back completely and refuses to continue past it', async () => {
    const dir = migrationsFolder({
      '20260101000000_good': 'CREATE TABLE a (id int);',
      '20260102000000_bad': 'CREATE TABLE b (id int); SELECT * FROM missing_table;',
    });

    await expect(applyMigrations({ databaseUrl: database.url, migrationsDir: dir })).rejects.toThrow(
      /20260102000000_bad failed: .*missing_table/,
    );
    const tables = await query<{ table_name: string }>(
      database.url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('a', 'b')",
    );
    expect(tables.map((row) => row.table_name)).toEqual(['a']);
    const [failed] = await query<{ finished_at: Date | null; logs: string }>(
      database.url,
      `SELECT finished_at, logs FROM "_prisma_migrations" WHERE migration_name = '20260102000000_bad'`,
    );
    expect(failed?.finished_at).toBeNull();
    expect(failed?.logs).toMatch(/missing_table/);
    await expect(applyMigrations({ databaseUrl: database.url, migrationsDir: dir })).rejects.toThrow(/failed earlier/);
  });

  it('applies each migration once when two processes migrate at the same time', async () => {
    const dir = migrationsFolder({ '20260101000000_first': 'CREATE TABLE a (id int);' });

    const results = await Promise.all([
      applyMigrations({ databaseUrl: database.url, migrationsDir: dir }),
      applyMigrations({ databaseUrl: database.url, migrationsDir: dir }),
    ]);

    expect(results.map((result) => result.applied.length).sort()).toEqual([0, 1]);
    const rows = await query(database.url, 'SELECT 1 FROM "_prisma_migrations"');
    expect(rows).toHaveLength(1);
  });
});
