import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { envelopeSchemaOf, INVENTORY_V1, type EnvelopeOf, type EventDefinition, type EventPayload } from '@storefront/contracts';
import type { TokenRequest } from '@storefront/devstack';
import { grpcTestClient, startServiceUnderTest, type GrpcTestClient, type ServiceRequest } from '@storefront/devstack/testing';
import type { Namespace } from '@storefront/messaging';
import { waitFor, type TestDatabase } from '@storefront/testing';
import { inventoryConfigSchema, type InventoryConfig } from '../src/config';
import { PrismaService } from '../src/infrastructure/prisma/prisma.service';
import { INVENTORY_COMMANDS_CONSUMER } from '../src/interface/messaging/inventory-commands.consumer';
import { InventoryModule } from '../src/inventory.module';

export interface InventoryUnderTest {
  readonly app: NestFastifyApplication;
  readonly config: InventoryConfig;
  readonly database: TestDatabase;
  readonly prisma: PrismaService;
  readonly httpUrl: string;
  readonly grpcAddress: string;
  /** Subjects and streams of this run are prefixed with it. */
  readonly namespace: Namespace;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** Publishes a command or event to JetStream as its producer would; returns its envelope. */
  send<D extends EventDefinition>(definition: D, payload: EventPayload<D>, aggregateId?: string): Promise<EnvelopeOf<D>>;
  /** Publishes an envelope again under another Nats-Msg-Id, so only the inbox can tell it is a repeat. */
  redeliver(envelope: EnvelopeOf<EventDefinition>): Promise<void>;
  /** Resolves once a consumer of inventory has applied (or skipped as a repeat) the given message. */
  applied(envelope: { id: string }, consumer?: string): Promise<void>;
  /** The events inventory published to JetStream so far, of one kind. */
  published<D extends EventDefinition>(definition: D): Promise<EnvelopeOf<D>[]>;
  /** The events of one kind written to the outbox so far (committed, maybe not yet published). */
  recorded<D extends EventDefinition>(definition: D): Promise<EnvelopeOf<D>[]>;
  givenStock(sku: string, available: number): Promise<void>;
  level(sku: string): Promise<{ sku: string; available: number; reserved: number; sold: number } | null>;
  /** An access token this service accepts. */
  token(request: TokenRequest): Promise<string>;
  /** One HTTP request, as an admin unless told otherwise (see ServiceUnderTest.request). */
  readonly request: ServiceRequest;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Environment on top of the test defaults, e.g. { INITIAL_STOCK: '7' }. */
  readonly env?: Record<string, string>;
  /** Start another replica on the database and namespace of this one. */
  readonly replicaOf?: InventoryUnderTest;
}

/** A SKU no other test uses: upper-case letters, digits and dashes as the catalog requires. */
export function uniqueSku(label = 'T'): string {
  return `${label}-${randomBytes(4).toString('hex').toUpperCase()}`;
}

/** The real inventory service, in this process, on a database and messaging namespace of its own. */
export async function startInventory(options: StartOptions = {}): Promise<InventoryUnderTest> {
  const service = await startServiceUnderTest({
    serviceDir: join(__dirname, '..'),
    configSchema: inventoryConfigSchema,
    createModule: (config) => InventoryModule.register(config),
    grpc: [INVENTORY_V1],
    ...options,
  });
  const { app, config } = service;
  const prisma = app.get(PrismaService);

  return {
    app,
    config,
    database: service.database,
    prisma,
    httpUrl: service.httpUrl,
    token: service.token,
    request: service.request,
    grpcAddress: `127.0.0.1:${config.GRPC_PORT}`,
    namespace: service.namespace,
    js: service.js,
    jsm: service.jsm,
    // Commands of one order share its id as aggregate, as the order saga sends them.
    send: (definition, payload, aggregateId) => service.send(definition, payload, aggregateId ?? (payload as { orderId?: string }).orderId),
    redeliver: (envelope) => service.publish(envelope, randomUUID()),
    applied: async (envelope, consumer = INVENTORY_COMMANDS_CONSUMER) => {
      await waitFor(
        () =>
          prisma.inboxMessage
            .findUnique({ where: { consumer_eventId: { consumer, eventId: envelope.id } } })
            .then((row) => row ?? undefined),
        { what: `message ${envelope.id} applied by ${consumer}` },
      );
    },
    published: service.published,
    recorded: async (definition) => {
      const schema = envelopeSchemaOf(definition);
      const rows = await prisma.outboxMessage.findMany({ where: { subject: definition.subject }, orderBy: { position: 'asc' } });
      return rows.map((row) => schema.parse(row.envelope) as EnvelopeOf<typeof definition>);
    },
    givenStock: async (sku, available) => {
      await prisma.stock.create({ data: { sku, available } });
    },
    level: (sku) => prisma.stock.findUnique({ where: { sku }, select: { sku: true, available: true, reserved: true, sold: true } }),
    close: () => service.close(),
  };
}

/** A plain grpc-js client of inventory.v1, as another service would build one. */
export function inventoryGrpcClient(address: string): GrpcTestClient {
  return grpcTestClient(INVENTORY_V1, address);
}
