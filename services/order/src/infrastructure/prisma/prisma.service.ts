import { Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { pgTransactionRunner, type PgTransaction } from '@storefront/messaging';
import { DatabaseClientModule, TRANSACTION_MAX_WAIT_MS } from '@storefront/persistence';
import { PrismaClient } from './generated/client';

/** This service's database client; the injection token too. Lifecycle and readiness: service-kit. */
export class PrismaService extends PrismaClient {}

/**
 * Transactions on the same pg pool as Prisma's adapter, without Prisma's query pipeline: the saga's
 * steps (the consumers' transactions, see MessagingModule's transactionalClient), placing an order
 * and the timeouts. Each of their statements is typed raw SQL anyway; through Prisma each cost about
 * 0.12 ms of CPU, through pg about 0.05 (docs/bench.md). Prisma stays the schema and the client of
 * everything else (reads, the order history's queries, tests).
 */
export class OrderTransactions implements OnApplicationShutdown {
  readonly $transaction: <T>(work: (tx: PgTransaction) => Promise<T>) => Promise<T>;

  constructor(private readonly pool: Pool) {
    this.$transaction = pgTransactionRunner(pool, { prepare: true });
  }

  /** After Prisma disconnected (the pool is not Prisma's to end). */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

@Module({})
class OrderDatabaseModule {}

export function prismaModule(config: { DATABASE_URL: string; DATABASE_POOL_SIZE: number }): DynamicModule {
  const pool = new Pool({
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_SIZE,
    // As long as Prisma's maxWait; the error ("timeout exceeded when trying to connect") is transient.
    connectionTimeoutMillis: TRANSACTION_MAX_WAIT_MS,
  });
  // An idle connection that breaks (a database restart) is replaced on next use; without a listener
  // the pool's 'error' event would end the process.
  pool.on('error', (error) => new Logger('Database').warn({ err: error }, 'an idle database connection failed'));
  return {
    module: OrderDatabaseModule,
    global: true,
    imports: [
      DatabaseClientModule.forRoot(
        PrismaService,
        () => new PrismaService({ adapter: new PrismaPg(pool), transactionOptions: { maxWait: TRANSACTION_MAX_WAIT_MS } }),
      ),
    ],
    providers: [{ provide: OrderTransactions, useFactory: () => new OrderTransactions(pool) }],
    exports: [OrderTransactions],
  };
}
