import { PrismaPg } from '@prisma/adapter-pg';
import { DatabaseClientModule, TRANSACTION_MAX_WAIT_MS } from '@storefront/persistence';
import { PrismaClient } from './generated/client';

/** This service's database client; the injection token too. Lifecycle and readiness: service-kit. */
export class PrismaService extends PrismaClient {}

export function prismaModule(config: { DATABASE_URL: string; DATABASE_POOL_SIZE: number }) {
  return DatabaseClientModule.forRoot(
    PrismaService,
    () =>
      new PrismaService({
        adapter: new PrismaPg({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE }),
        transactionOptions: { maxWait: TRANSACTION_MAX_WAIT_MS },
      }),
  );
}
