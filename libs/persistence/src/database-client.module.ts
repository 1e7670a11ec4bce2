import { type DynamicModule, type OnModuleDestroy, type OnModuleInit, type Type } from '@nestjs/common';
import { HealthRegistry } from '@storefront/service-kit';

/** What the lifecycle needs of a Prisma client; every generated client has it. */
export interface DatabaseClient {
  $connect(): Promise<void>;
  $disconnect(): Promise<void>;
  $queryRawUnsafe(query: string): PromiseLike<unknown>;
}

/** Connects at start, reports readiness, disconnects at shutdown. */
class DatabaseLifecycle implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly client: DatabaseClient,
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
}

/**
 * A service's database client (its own generated Prisma client) for every module of the service,
 * the messaging module included, with the connection lifecycle and readiness check in one place:
 *
 *   DatabaseClientModule.forRoot(PrismaService, () => new PrismaService({ adapter: new PrismaPg(...) }))
 */
export class DatabaseClientModule {
  static forRoot<T extends DatabaseClient>(token: Type<T>, create: () => T): DynamicModule {
    return {
      module: DatabaseClientModule,
      global: true,
      providers: [
        { provide: token, useFactory: create },
        {
          provide: DatabaseLifecycle,
          useFactory: (client: T, health: HealthRegistry) => new DatabaseLifecycle(client, health),
          inject: [token, HealthRegistry],
        },
      ],
      exports: [token],
    };
  }
}
