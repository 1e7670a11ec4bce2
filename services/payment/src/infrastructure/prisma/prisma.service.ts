import { PrismaPg } from '@prisma/adapter-pg';
import { DatabaseClientModule, TRANSACTION_MAX_WAIT_MS } from '@storefront/persistence';
import { PrismaClient } from './generated/client';

/** This service's database client; the injection token too. Lifecycle and readiness: persistence. */
export class PrismaService extends PrismaClient {}

/**
 * Prisma and SqlDatabase (@storefront/persistence) on one pool. The commands' transactions and the
 * provider ledger's writes run on SqlDatabase, which has no transaction timeout: a command's
 * transaction includes one provider call, which the simulation can slow down to 30 s (Prisma's
 * default timeout of 5 s would roll back every command while the provider is slow).
 */
export function prismaModule(config: { DATABASE_URL: string; DATABASE_POOL_SIZE: number }) {
  return DatabaseClientModule.forRoot(PrismaService, {
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    create: (pool) => new PrismaService({ adapter: new PrismaPg(pool), transactionOptions: { maxWait: TRANSACTION_MAX_WAIT_MS } }),
  });
}
