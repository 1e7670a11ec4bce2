import { Logger, type DynamicModule, type OnApplicationShutdown, type OnModuleDestroy, type OnModuleInit, type Type } from '@nestjs/common';
import { Pool } from 'pg';
import { HealthRegistry, tracingSettings } from '@storefront/service-kit';
import { withConnection } from './connection';
import { pgTransactionRunner, statementRunner, type PgTransaction, type PgTransactionOptions, type SqlClient } from './pg-transaction';
import { TRANSACTION_MAX_WAIT_MS } from './transaction';

/** What the lifecycle needs of a Prisma client; every generated client has it. */
export interface DatabaseClient {
  $connect(): Promise<void>;
  $disconnect(): Promise<void>;
  $queryRawUnsafe(query: string): PromiseLike<unknown>;
}

/**
 * The service's database on plain pg, on the pool Prisma's adapter uses too: the transactions of
 * its consumers (MessagingModule's `transactionalClient`) and of its hot paths, and single
 * statements outside a transaction; every statement a named prepared statement (PostgreSQL parses
 * and plans each text once per connection).
 *
 * Hand-written rather than Prisma because these statements are typed raw SQL anyway, and through
 * Prisma each cost about 0.12 ms of CPU against 0.05 through pg, plus the interactive transaction's
 * own machinery (docs/bench.md, items 16 and 29). Prisma stays the schema, the migrations and the
 * client of everything else (reads, admin, seeds, tests).
 */
export class SqlDatabase implements SqlClient {
  /** BEGIN, `work`, COMMIT; ROLLBACK when it throws. */
  readonly $transaction: <T>(work: (tx: PgTransaction) => Promise<T>) => Promise<T>;
  private readonly run: ReturnType<typeof statementRunner>;

  /** Query spans as the environment asks for Prisma's (TRACE_DATABASE_QUERIES, off in production). */
  constructor(
    private readonly pool: Pool,
    options: PgTransactionOptions = { prepare: true, traceQueries: tracingSettings(process.env).databaseQueries },
  ) {
    this.$transaction = pgTransactionRunner(pool, options);
    this.run = statementRunner(options);
  }

  /** One statement that commits by itself: one round trip where a transaction of it takes two. */
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T> {
    return withConnection(this.pool, async (client) => (await this.run(client, query, values)).rows as T);
  }

  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number> {
    return withConnection(this.pool, async (client) => (await this.run(client, query, values)).rowCount ?? 0);
  }
}

/** Connects at start, reports readiness; at shutdown Prisma disconnects, then the pool ends. */
class DatabaseLifecycle implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  constructor(
    private readonly client: DatabaseClient,
    private readonly pool: Pool,
    private readonly health: HealthRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.client.$connect();
    this.health.register('database', async () => {
      await this.client.$queryRawUnsafe('SELECT 1');
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.$disconnect();
  }

  /** After every destroy and before-shutdown hook: Prisma disconnected, consumers and sweepers stopped. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

export interface DatabaseClientOptions<T> {
  readonly url: string;
  /** Connections of the one pool, shared by Prisma and SqlDatabase. */
  readonly poolSize: number;
  /** The Prisma client on that pool: `(pool) => new PrismaService({ adapter: new PrismaPg(pool) })`. */
  readonly create: (pool: Pool) => T;
}

const POOL = Symbol('DatabasePool');

/**
 * A service's database for every module of the service, the messaging module included: one pg pool,
 * its Prisma client (provided as `token`) and SqlDatabase on that same pool, with the connection
 * lifecycle and readiness check in one place:
 *
 *   DatabaseClientModule.forRoot(PrismaService, {
 *     url, poolSize, create: (pool) => new PrismaService({ adapter: new PrismaPg(pool) }) })
 */
export class DatabaseClientModule {
  static forRoot<T extends DatabaseClient>(token: Type<T>, options: DatabaseClientOptions<T>): DynamicModule {
    return {
      module: DatabaseClientModule,
      global: true,
      providers: [
        {
          provide: POOL,
          useFactory: () => {
            const pool = new Pool({
              connectionString: options.url,
              max: options.poolSize,
              // Connections once opened stay (pg-pool closes idle ones after 10 s otherwise): opening
              // one again when the load comes back costs a backend start and every statement's
              // preparation, in the middle of that load's first requests (docs/bench.md item 30).
              min: options.poolSize,
              // As long as Prisma's maxWait; the error ("timeout exceeded when trying to connect") is transient.
              connectionTimeoutMillis: TRANSACTION_MAX_WAIT_MS,
            });
            // An idle connection that breaks (a database restart) is replaced on next use; without a
            // listener the pool's 'error' event would end the process.
            pool.on('error', (error) => new Logger('Database').warn({ err: error }, 'an idle database connection failed'));
            return pool;
          },
        },
        { provide: token, useFactory: (pool: Pool) => options.create(pool), inject: [POOL] },
        { provide: SqlDatabase, useFactory: (pool: Pool) => new SqlDatabase(pool), inject: [POOL] },
        {
          provide: DatabaseLifecycle,
          useFactory: (client: T, pool: Pool, health: HealthRegistry) => new DatabaseLifecycle(client, pool, health),
          inject: [token, POOL, HealthRegistry],
        },
      ],
      exports: [token, SqlDatabase],
    };
  }
}
