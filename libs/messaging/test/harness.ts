import { randomBytes, randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Pool } from 'pg';
import { ProductCreatedV1, STREAMS, type EnvelopeOf } from '@storefront/contracts';
import { createTestDatabase, type TestDatabase } from '@storefront/testing';
import {
  connectNats,
  createEvent,
  ensureStreams,
  EventConsumer,
  MESSAGING_TABLES_SQL,
  Namespace,
  Outbox,
  OutboxRelay,
  pgTransactionRunner,
  type EventConsumerOptions,
  type OutboxRelayOptions,
  type TransactionRunner,
} from '../src';

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** Everything one test needs: its own database, namespace (streams, subjects) and connections. */
export interface Harness {
  readonly database: TestDatabase;
  readonly pool: Pool;
  readonly namespace: Namespace;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly outbox: Outbox;
  readonly transaction: TransactionRunner;
  relay(overrides?: Partial<OutboxRelayOptions>): OutboxRelay;
  consumer(overrides?: Partial<EventConsumerOptions>): EventConsumer;
  /** Commits one product-created event per payload; `rollback` throws after writing instead. */
  write(count: number, options?: { rollback?: boolean }): Promise<string[]>;
  /** How often each event was applied by the test handler, from the database. */
  applications(): Promise<Map<string, number>>;
  streamMessages(stream?: string): Promise<number>;
  close(): Promise<void>;
}

export function sampleEvent(): EnvelopeOf<typeof ProductCreatedV1> {
  const productId = randomUUID();
  return createEvent(ProductCreatedV1, {
    source: 'test',
    aggregateId: productId,
    payload: {
      productId,
      sku: `T-${randomBytes(3).toString('hex').toUpperCase()}`,
      name: 'Test product',
      description: '',
      category: { slug: 'test', name: 'Test' },
      price: { amountMinor: 100, currency: 'USD' },
      imageUrl: null,
    },
  });
}

export const APPLY_EFFECT =
  'INSERT INTO "effects" ("event_id", "applications") VALUES ($1::uuid, 1) ' +
  'ON CONFLICT ("event_id") DO UPDATE SET "applications" = "effects"."applications" + 1';

/** `postgresUrl`: a server of the test's own (an OwnPostgres it may stop); the shared one by default. */
export async function createHarness(options: { natsUrl?: string; postgresUrl?: string } = {}): Promise<Harness> {
  const database = await createTestDatabase('messaging', undefined, options.postgresUrl);
  const pool = new Pool({ connectionString: database.url, max: 8 });
  pool.on('error', () => undefined); // idle connections cut when the test database is dropped
  await pool.query(MESSAGING_TABLES_SQL);
  await pool.query('CREATE TABLE "effects" ("event_id" UUID PRIMARY KEY, "applications" INTEGER NOT NULL)');
  const namespace = new Namespace(`t${randomBytes(5).toString('hex')}`);
  const nc = await connectNats(options.natsUrl ?? NATS_URL, 'messaging-test');
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  await ensureStreams(jsm, namespace, STREAMS, { duplicateWindowMs: 120_000, maxAgeMs: 3_600_000 });
  const outbox = new Outbox();
  const transaction = pgTransactionRunner(pool);
  const started: { stop(): Promise<void> }[] = [];

  return {
    database,
    pool,
    namespace,
    nc,
    js,
    jsm,
    outbox,
    transaction,
    relay: (overrides = {}) => {
      const relay = new OutboxRelay({ service: 'test', pool, js, namespace, pollIntervalMs: 200, backoffMs: [50, 500], ...overrides });
      started.push(relay);
      return relay;
    },
    consumer: (overrides = {}) => {
      const consumer = new EventConsumer({
        service: 'test',
        durable: 'test-effects',
        stream: ProductCreatedV1.stream,
        handlers: [
          {
            definition: ProductCreatedV1,
            handle: async (event, tx) => {
              await tx.$executeRawUnsafe(APPLY_EFFECT, event.id);
            },
          },
        ],
        js,
        jsm,
        namespace,
        transaction,
        ackWaitMs: 1_000,
        retryDelaysMs: [50, 100, 200],
        ...overrides,
      });
      started.push(consumer);
      return consumer;
    },
    write: async (count, writeOptions = {}) => {
      const events = Array.from({ length: count }, sampleEvent);
      const ids = events.map((event) => event.id);
      const work = transaction(async (tx) => {
        await outbox.add(tx, ...events);
        if (writeOptions.rollback) throw new Error('rolled back on purpose');
      });
      if (writeOptions.rollback) await work.catch(() => undefined);
      else await work;
      return ids;
    },
    applications: async () => {
      const { rows } = await pool.query<{ event_id: string; applications: number }>('SELECT * FROM "effects"');
      return new Map(rows.map((row) => [row.event_id, row.applications]));
    },
    streamMessages: async (stream = namespace.stream(ProductCreatedV1.stream)) => (await jsm.streams.info(stream)).state.messages,
    close: async () => {
      await Promise.all(started.map((component) => component.stop().catch(() => undefined)));
      for (const stream of STREAMS) await jsm.streams.delete(namespace.stream(stream)).catch(() => undefined);
      await nc.close();
      await pool.end();
      await database.drop();
    },
  };
}

/** Checks every 100 ms until `accept` takes the value, and returns it; fails the test when it never does within `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await check();
  while (!accept(value)) {
    if (Date.now() >= deadline) throw new Error(`not accepted within ${timeoutMs} ms; the last value: ${inspect(value, { depth: 3 })}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await check();
  }
  return value;
}
