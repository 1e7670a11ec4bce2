import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { DeliverPolicy, type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  type EnvelopeOf,
  type EventDefinition,
  type EventPayload,
  GRPC_LOADER_OPTIONS,
  INVENTORY_STREAM,
  INVENTORY_V1,
  STREAMS,
  envelopeSchemaOf,
} from '@storefront/contracts';
import { Namespace, connectNats, createEvent, deleteStreams } from '@storefront/messaging';
import { createServiceApp, parseConfig, startServiceApp } from '@storefront/service-kit';
import { createTestDatabase, freePort, waitFor, type TestDatabase } from '@storefront/testing';
import { type InventoryConfig, inventoryConfigSchema } from '../src/config';
import { InventoryModule } from '../src/inventory.module';
import { PrismaService } from '../src/infrastructure/prisma/prisma.service';

export interface StoredEvent {
  readonly subject: string;
  readonly data: unknown;
}

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
  redeliver(definition: EventDefinition, envelope: { id: string }): Promise<void>;
  /** Resolves once a consumer of inventory has applied (or skipped as a repeat) the given message. */
  applied(envelope: { id: string }, consumer?: string): Promise<void>;
  /** The events inventory published to JetStream so far, of one kind. */
  published<D extends EventDefinition>(definition: D): Promise<EnvelopeOf<D>[]>;
  /** The events of one kind written to the outbox so far (committed, maybe not yet published). */
  recorded<D extends EventDefinition>(definition: D): Promise<EnvelopeOf<D>[]>;
  givenStock(sku: string, available: number): Promise<void>;
  level(sku: string): Promise<{ sku: string; available: number; reserved: number; sold: number } | null>;
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
  const owner = !options.replicaOf;
  const database =
    options.replicaOf?.database ?? (await createTestDatabase('inventory', join(__dirname, '..', 'prisma', 'migrations')));
  const config = parseConfig(inventoryConfigSchema, {
    DATABASE_URL: database.url,
    HTTP_PORT: String(await freePort()),
    GRPC_PORT: String(await freePort()),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    MESSAGING_NAMESPACE: options.replicaOf?.namespace.prefix ?? `t${randomBytes(5).toString('hex')}`,
    ...options.env,
  });
  const namespace = new Namespace(config.MESSAGING_NAMESPACE);
  const app = await createServiceApp({ module: InventoryModule.register(config), config, grpc: [INVENTORY_V1] });
  await startServiceApp(app, config);
  const prisma = app.get(PrismaService);
  const nc: NatsConnection = await connectNats(config.NATS_URL, 'inventory-test');
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);

  const streamEvents = async (): Promise<StoredEvent[]> => {
    const stream = namespace.stream(INVENTORY_STREAM);
    const { state } = await jsm.streams.info(stream);
    if (state.messages === 0) return [];
    const consumer = await js.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
    const messages = await consumer.fetch({ max_messages: state.messages, expires: 2_000 });
    const events: StoredEvent[] = [];
    for await (const message of messages) {
      events.push({ subject: namespace.logical(message.subject), data: message.json() });
      if (events.length >= state.messages) break;
    }
    return events;
  };

  return {
    app,
    config,
    database,
    prisma,
    httpUrl: `http://127.0.0.1:${config.HTTP_PORT}`,
    grpcAddress: `127.0.0.1:${config.GRPC_PORT}`,
    namespace,
    js,
    jsm,
    send: async (definition, payload, aggregateId) => {
      const id = aggregateId ?? (payload as { orderId?: string }).orderId ?? randomUUID();
      const envelope = createEvent(definition, { source: definition.producer, aggregateId: id, payload });
      await js.publish(namespace.subject(definition.subject), JSON.stringify(envelope), { msgID: envelope.id });
      return envelope;
    },
    redeliver: async (definition, envelope) => {
      await js.publish(namespace.subject(definition.subject), JSON.stringify(envelope), { msgID: randomUUID() });
    },
    applied: async (envelope, consumer = 'inventory-commands') => {
      await waitFor(
        () => prisma.inboxMessage.findUnique({ where: { consumer_eventId: { consumer, eventId: envelope.id } } }).then((row) => row ?? undefined),
        { what: `message ${envelope.id} applied by ${consumer}` },
      );
    },
    published: async (definition) => {
      const schema = envelopeSchemaOf(definition);
      return (await streamEvents())
        .filter((event) => event.subject === definition.subject)
        .map((event) => schema.parse(event.data) as EnvelopeOf<typeof definition>);
    },
    recorded: async (definition) => {
      const schema = envelopeSchemaOf(definition);
      const rows = await prisma.outboxMessage.findMany({ where: { subject: definition.subject }, orderBy: { position: 'asc' } });
      return rows.map((row) => schema.parse(row.envelope) as EnvelopeOf<typeof definition>);
    },
    givenStock: async (sku, available) => {
      await prisma.stock.create({ data: { sku, available } });
    },
    level: (sku) => prisma.stock.findUnique({ where: { sku }, select: { sku: true, available: true, reserved: true, sold: true } }),
    close: async () => {
      await nc.close();
      await app.close();
      if (!owner) return;
      await database.drop();
      const cleanup = await connectNats(config.NATS_URL, 'inventory-test-cleanup');
      await deleteStreams(await jetstreamManager(cleanup), namespace, STREAMS);
      await cleanup.close();
    },
  };
}

type Callback<T> = (error: grpc.ServiceError | null, response: T) => void;
type UnaryMethod = (request: object, callback: Callback<unknown>) => void;

/** A plain grpc-js client of inventory.v1, as another service would build one. */
export function inventoryGrpcClient(address: string): { call<T>(method: string, request: object): Promise<T>; close(): void } {
  const definition = protoLoader.loadSync(INVENTORY_V1.protoPath, GRPC_LOADER_OPTIONS);
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    inventory: { v1: { InventoryService: grpc.ServiceClientConstructor } };
  };
  const client = new loaded.inventory.v1.InventoryService(address, grpc.credentials.createInsecure());
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
