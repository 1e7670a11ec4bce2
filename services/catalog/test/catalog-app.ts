import 'reflect-metadata';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CATALOG_V1, StockChangedV1, type EnvelopeOf } from '@storefront/contracts';
import { grpcTestClient, startServiceUnderTest, testIssuer, type GrpcTestClient } from '@storefront/devstack/testing';
import { createEvent, type Namespace } from '@storefront/messaging';
import type { TestDatabase } from '@storefront/testing';
import { CatalogModule } from '../src/catalog.module';
import { catalogConfigSchema } from '../src/config';
import { PrismaService } from '../src/infrastructure/prisma/prisma.service';
import { seedCatalog } from '../src/infrastructure/seed/catalog.seed';

export interface CatalogUnderTest {
  readonly app: NestFastifyApplication;
  readonly database: TestDatabase;
  readonly prisma: PrismaService;
  readonly httpUrl: string;
  readonly grpcAddress: string;
  readonly natsUrl: string;
  /** Subjects and streams of this catalog are prefixed with it. */
  readonly namespace: Namespace;
  /** Publishes events to this catalog's namespace as another service's outbox relay would. */
  publish(...events: EnvelopeOf<typeof StockChangedV1>[]): Promise<void>;
  close(): Promise<void>;
}

export type StockChanged = EnvelopeOf<typeof StockChangedV1>;

/** inventory.stock-changed.v1 with the given new levels, as inventory would publish it. */
export function stockChanged(
  sku: string,
  levels: { available: number; reserved?: number; sold?: number; version?: number },
  occurredAt = new Date(),
): StockChanged {
  return createEvent(StockChangedV1, {
    source: 'inventory',
    aggregateId: sku,
    occurredAt,
    payload: { sku, reserved: 0, sold: 0, ...levels, reason: 'restock' },
  });
}

/** The real catalog, in this process, on a seeded database of its own and free ports. */
export async function startCatalog(env: Record<string, string> = {}): Promise<CatalogUnderTest> {
  const service = await startServiceUnderTest({
    serviceDir: join(__dirname, '..'),
    env,
    configSchema: catalogConfigSchema,
    createModule: (config) => CatalogModule.register(config),
    grpc: [CATALOG_V1],
  });
  const prisma = service.app.get(PrismaService);
  await seedCatalog(prisma);
  return {
    app: service.app,
    database: service.database,
    prisma,
    httpUrl: service.httpUrl,
    grpcAddress: `127.0.0.1:${service.config.GRPC_PORT}`,
    natsUrl: service.config.NATS_URL,
    namespace: service.namespace,
    publish: async (...events) => {
      for (const event of events) await service.publish(event);
    },
    close: () => service.close(),
  };
}

/** A plain grpc-js client of catalog.v1, as another service would build one. */
export function catalogGrpcClient(address: string): GrpcTestClient {
  return grpcTestClient(CATALOG_V1, address);
}

/** Headers of an admin's request: product changes need the admin role. */
export async function adminHeaders(): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await (await testIssuer()).token({ subject: 'ops', roles: ['admin'] })}` };
}
