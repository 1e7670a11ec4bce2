import { randomBytes } from 'node:crypto';
import { Module, type INestApplication } from '@nestjs/common';
import type { Pool } from 'pg';
import { baseConfigSchema, createServiceApp, parseConfig, ServiceKitModule } from '@storefront/service-kit';
import { DatabaseClientModule, dropDatabase, ensureDatabase, SqlDatabase, withDatabase, type DatabaseClient } from '../src';

// This library sits below @storefront/testing, so it makes its own throwaway database.
const SERVER = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** Stands in for a service's Prisma client: real queries on the pool the module gives it. */
class PoolDatabaseClient implements DatabaseClient {
  poolEndedAtDisconnect: boolean | undefined;

  constructor(readonly pool: Pool) {}

  async $connect(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  $disconnect(): Promise<void> {
    this.poolEndedAtDisconnect = this.pool.ended;
    return Promise.resolve();
  }

  async $queryRawUnsafe<T>(query: string): Promise<T> {
    return (await this.pool.query(query)).rows as T;
  }
}

/** One pool per service: the Prisma client and SqlDatabase on it, ended after the client at shutdown. */
describe('DatabaseClientModule', () => {
  const url = withDatabase(SERVER, `test_database_client_${process.pid}_${randomBytes(4).toString('hex')}`);
  let app: INestApplication;
  let client: PoolDatabaseClient;
  let sql: SqlDatabase;

  beforeAll(async () => {
    await ensureDatabase(url);
    const config = parseConfig(baseConfigSchema, { HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    @Module({
      imports: [
        ServiceKitModule.forRoot({ service: 'database-client-test', config }),
        // One connection: a second pool, or a connection kept outside the pool, would show.
        DatabaseClientModule.forRoot(PoolDatabaseClient, { url, poolSize: 1, create: (pool) => new PoolDatabaseClient(pool) }),
      ],
    })
    class TestModule {}
    app = await createServiceApp({ module: TestModule, config });
    await app.init();
    client = app.get(PoolDatabaseClient);
    sql = app.get(SqlDatabase);
    await sql.$executeRawUnsafe('CREATE TABLE "items" ("id" int PRIMARY KEY)');
  });

  afterAll(async () => {
    await app?.close();
    await dropDatabase(url);
  });

  it('gives the client and SqlDatabase the same pool', async () => {
    const [viaClient] = await client.$queryRawUnsafe<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
    const [viaSql] = await sql.$queryRawUnsafe<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
    const [inTransaction] = await sql.$transaction((tx) => tx.$queryRawUnsafe<{ pid: number }[]>('SELECT pg_backend_pid() AS pid'));
    expect(viaSql?.pid).toBe(viaClient?.pid);
    expect(inTransaction?.pid).toBe(viaClient?.pid);
  });

  it('commits a transaction whose work resolves and rolls back one whose work throws', async () => {
    await sql.$transaction((tx) => tx.$executeRawUnsafe('INSERT INTO "items" ("id") VALUES ($1)', 1));
    await expect(
      sql.$transaction(async (tx) => {
        await tx.$executeRawUnsafe('INSERT INTO "items" ("id") VALUES ($1)', 2);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await expect(sql.$queryRawUnsafe('SELECT "id" FROM "items" ORDER BY "id"')).resolves.toEqual([{ id: 1 }]);
  });

  it('runs statements as named prepared statements, parsed once per connection', async () => {
    const text = 'SELECT $1::int + 1 AS "next"';
    const prepared = await sql.$transaction(async (tx) => {
      await expect(tx.$queryRawUnsafe(text, 41)).resolves.toEqual([{ next: 42 }]);
      await tx.$queryRawUnsafe(text, 1);
      return tx.$queryRawUnsafe<{ statement: string }[]>('SELECT "statement" FROM pg_prepared_statements WHERE "statement" = $1', text);
    });
    expect(prepared).toEqual([{ statement: text }]);
  });

  it('ends the pool at shutdown, after the client disconnected', async () => {
    await app.close();
    expect(client.poolEndedAtDisconnect).toBe(false);
    expect(client.pool.ended).toBe(true);
  });
});
