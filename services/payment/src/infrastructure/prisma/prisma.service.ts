import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { HealthRegistry } from '@storefront/service-kit';
import { PrismaClient } from './generated/client';

export const DATABASE_URL = Symbol('DatabaseUrl');

/**
 * A command's transaction includes one provider call, which the simulation can slow down to 30 s;
 * Prisma's default of 5 s would roll back every command while the provider is slow.
 */
const TRANSACTION_TIMEOUT_MS = 45_000;

@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit, OnModuleDestroy {
  constructor(
    @Inject(DATABASE_URL) databaseUrl: string,
    private readonly health: HealthRegistry,
  ) {
    super({
      adapter: new PrismaPg({ connectionString: databaseUrl }),
      transactionOptions: { timeout: TRANSACTION_TIMEOUT_MS },
    });
  }

  async onModuleInit(): Promise<void> {
    await this.$connect();
    this.health.register('database', () => this.$queryRaw`SELECT 1`);
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
