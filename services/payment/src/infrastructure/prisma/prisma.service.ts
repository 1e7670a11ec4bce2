import { PrismaPg } from '@prisma/adapter-pg';
import { DatabaseClientModule, TRANSACTION_MAX_WAIT_MS } from '@storefront/persistence';
import { PrismaClient } from './generated/client';

/**
 * A command's transaction includes one provider call, which the simulation can slow down to 30 s;
 * Prisma's default of 5 s would roll back every command while the provider is slow.
 */
const TRANSACTION_TIMEOUT_MS = 45_000;

/** This service's database client; the injection token too. Lifecycle and readiness: service-kit. */
export class PrismaService extends PrismaClient {}

export function prismaModule(config: { DATABASE_URL: string; DATABASE_POOL_SIZE: number }) {
  return DatabaseClientModule.forRoot(PrismaService, {
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    create: (pool) =>
      new PrismaService({ adapter: new PrismaPg(pool), transactionOptions: { timeout: TRANSACTION_TIMEOUT_MS, maxWait: TRANSACTION_MAX_WAIT_MS } }),
  });
}
