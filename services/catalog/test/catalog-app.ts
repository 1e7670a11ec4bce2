import 'reflect-metadata';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CATALOG_V1, type EnvelopeOf, GRPC_LOADER_OPTIONS, StockChangedV1 } from '@storefront/contracts';
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS } from '@storefront/contracts';
import { MessagingRuntime, Namespace, connectNats, createEvent, deleteStreams } from '@storefront/messaging';
import { createServiceApp, parseConfig, startServiceApp } from '@storefront/service-kit';
import { createTestDatabase, freePort, type TestDatabase } from '@storefront/testing';
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
  levels: { available: number; reserved?: number; sold?: number },
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
export async function startCatalog(): Promise<CatalogUnderTest> {
  const database = await createTestDatabase('catalog', join(__dirname, '..', 'prisma', 'migrations'));
  const config = parseConfig(catalogConfigSchema, {
    DATABASE_URL: database.url,
    HTTP_PORT: String(await freePort()),
    GRPC_PORT: String(await freePort()),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    MESSAGING_NAMESPACE: `t${randomBytes(5).toString('hex')}`,
  });
  const namespace = new Namespace(config.MESSAGING_NAMESPACE);
  const app = await createServiceApp({ module: CatalogModule.register(config), config, grpc: [CATALOG_V1] });
  await startServiceApp(app, config);
  const prisma = app.get(PrismaService);
  await seedCatalog(prisma);
  return {
    app,
    database,
    prisma,
    httpUrl: `http://127.0.0.1:${config.HTTP_PORT}`,
    grpcAddress: `127.0.0.1:${config.GRPC_PORT}`,
    natsUrl: config.NATS_URL,
    namespace,
    publish: async (...events) => {
      const { js } = app.get(MessagingRuntime);
      for (const event of events) {
        await js.publish(namespace.subject(StockChangedV1.subject), JSON.stringify(event), { msgID: event.id });
      }
    },
    close: async () => {
      await app.close();
      await database.drop();
      const nc = await connectNats(config.NATS_URL, 'catalog-test-cleanup');
      await deleteStreams(await jetstreamManager(nc), namespace, STREAMS);
      await nc.close();
    },
  };
}

type Callback<T> = (error: grpc.ServiceError | null, response: T) => void;
type UnaryMethod = (request: object, callback: Callback<unknown>) => void;

/** A plain grpc-js client of catalog.v1, as another service would build one. */
export function catalogGrpcClient(address: string): { call<T>(method: string, request: object): Promise<T>; close(): void } {
  const definition = protoLoader.loadSync(CATALOG_V1.protoPath, GRPC_LOADER_OPTIONS);
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    catalog: { v1: { CatalogService: grpc.ServiceClientConstructor } };
  };
  const client = new loaded.catalog.v1.CatalogService(address, grpc.credentials.createInsecure());
  return {
    call: <T>(method: string, request: object) =>
      new Promise<T>((resolve, reject) => {
        const fn = (client as unknown as Record<string, UnaryMethod>)[method];
        if (!fn) throw new Error(`no method ${method}`);
        fn.call(client, request, (error, response) => (error ? reject(error) : resolve(response as T)));
      }),
    close: () => client.close(),
  };
}
