import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { Global, Injectable, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { ProductCreatedV1, ProductUpdatedV1, STREAMS, type EnvelopeOf } from '@storefront/contracts';
import { baseConfigSchema, createServiceApp, parseConfig, ServiceKitModule, startServiceApp } from '@storefront/service-kit';
import { createTestDatabase, freePort, waitFor, type TestDatabase } from '@storefront/testing';
import {
  connectNats,
  createEvent,
  deleteStreams,
  HandlesEvent,
  MESSAGING_TABLES_SQL,
  MessagingModule,
  MessagingRuntime,
  Namespace,
  Outbox,
  pgTransactionRunner,
  type SqlTransaction,
  type TransactionRunner,
} from '../src';
import { laneOfAggregate } from '../src/event-consumer';
import { APPLY_EFFECT, NATS_URL, sampleEvent } from './harness';

/** Stands in for a service's PrismaService: the same `$transaction(work)` shape on a pg pool. */
class PgDatabase {
  readonly pool: Pool;
  private readonly run: TransactionRunner;
  constructor(url: string) {
    this.pool = new Pool({ connectionString: url });
    this.pool.on('error', () => undefined);
    this.run = pgTransactionRunner(this.pool);
  }
  $transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return this.run(work);
  }
}

@Injectable()
class EffectsProjection {
  readonly seen: string[] = [];

  @HandlesEvent(ProductCreatedV1, { consumer: 'module-test-effects' })
  async onProductCreated(event: EnvelopeOf<typeof ProductCreatedV1>, tx: SqlTransaction): Promise<void> {
    this.seen.push(event.payload.sku);
    await tx.$executeRawUnsafe(APPLY_EFFECT, event.id);
  }
}

/**
 * Declares lanes: the handler of one aggregate (`blocked`) waits until an event of another aggregate
 * was handled, which only a second lane can do meanwhile.
 */
@Injectable()
class LanesProjection {
  blocked: string | undefined;
  readonly seen = new Set<string>();
  /** Whether the blocked aggregate's handler saw the other one's event while it waited. */
  readonly waits: boolean[] = [];

  @HandlesEvent(ProductUpdatedV1, { consumer: 'module-test-lanes', lanes: 4 })
  async onProductUpdated(event: EnvelopeOf<typeof ProductUpdatedV1>): Promise<void> {
    if (event.aggregateId === this.blocked) {
      const others = () => [...this.seen].some((id) => id !== this.blocked);
      const saw = await waitFor(others, { timeoutMs: 3_000 }).then(
        () => true,
        () => false,
      );
      this.waits.push(saw);
    }
    this.seen.add(event.aggregateId);
  }
}

/** The NestJS face of the library, as a service uses it: a decorator and `outbox.add(tx, event)`. */
describe('MessagingModule', () => {
  let database: TestDatabase;
  let pg: PgDatabase;
  let app: NestFastifyApplication;
  let url: string;
  const namespace = new Namespace(`t${randomBytes(5).toString('hex')}`);
  const readiness = async () =>
    (await (await fetch(`${url}/health/ready`)).json()) as {
      status: string;
      checks: Record<string, { status: string; error?: string; details?: unknown }>;
    };

  beforeAll(async () => {
    database = await createTestDatabase('messaging_module');
    pg = new PgDatabase(database.url);
    await pg.pool.query(MESSAGING_TABLES_SQL);
    await pg.pool.query('CREATE TABLE "effects" ("event_id" UUID PRIMARY KEY, "applications" INTEGER NOT NULL)');
    const config = parseConfig(baseConfigSchema, { HTTP_PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    // Like a service's DatabaseClientModule: global, so the messaging module can reach the client.
    @Global()
    @Module({ providers: [{ provide: PgDatabase, useValue: pg }], exports: [PgDatabase] })
    class DatabaseModule {}
    @Module({
      imports: [
        ServiceKitModule.forRoot({ service: 'module-test', config }),
        DatabaseModule,
        MessagingModule.forRoot({
          service: 'module-test',
          natsUrl: NATS_URL,
          databaseUrl: database.url,
          namespace: namespace.prefix,
          transactionalClient: PgDatabase,
          relay: { pollIntervalMs: 200 },
        }),
      ],
      providers: [EffectsProjection, LanesProjection],
    })
    class TestModule {}
    app = await createServiceApp({ module: TestModule, config });
    await startServiceApp(app, config);
    url = `http://127.0.0.1:${config.HTTP_PORT}`;
  });

  afterAll(async () => {
    await app?.close();
    const nc = await connectNats(NATS_URL, 'module-test-cleanup');
    await deleteStreams(await jetstreamManager(nc), namespace, STREAMS);
    await nc.close();
    await pg?.pool.end();
    await database?.drop();
  });

  it('delivers an event written with outbox.add to the @HandlesEvent method, once', async () => {
    const event = sampleEvent();
    await pg.$transaction((tx) => app.get(Outbox).add(tx, event));

    await waitFor(() => app.get(EffectsProjection).seen.length === 1, { timeoutMs: 10_000 });
    expect(app.get(EffectsProjection).seen).toEqual([event.payload.sku]);
    const { rows } = await pg.pool.query('SELECT "applications" FROM "effects" WHERE "event_id" = $1', [event.id]);
    expect(rows).toEqual([{ applications: 1 }]);
  });

  it('applies different aggregates side by side for a consumer whose handlers ask for lanes', async () => {
    const projection = app.get(LanesProjection);
    const updated = () => {
      const { payload, aggregateId } = sampleEvent();
      return createEvent(ProductUpdatedV1, { source: 'test', aggregateId, payload: { ...payload, changedFields: ['name'] } });
    };
    const first = updated();
    let second = updated();
    while (laneOfAggregate(second.aggregateId, 4) === laneOfAggregate(first.aggregateId, 4)) second = updated();
    projection.blocked = first.aggregateId;
    await pg.$transaction((tx) => app.get(Outbox).add(tx, first, second));

    await waitFor(() => projection.seen.has(first.aggregateId) && projection.seen.has(second.aggregateId), { timeoutMs: 15_000 });
    expect(projection.waits).toEqual([true]);
  });

  it('reports NATS, its consumers and dead letters in readiness and the messaging metrics on /metrics', async () => {
    const ready = await readiness();
    expect(ready.checks.nats?.status).toBe('up');
    expect(ready.checks.consumers).toMatchObject({ status: 'up', details: { 'module-test-effects': 'consuming' } });
    expect(ready.checks['dead-letters']).toMatchObject({ status: 'up', details: { total: 0 } });

    const metrics = await waitFor(async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return text.includes('storefront_messages_consumed_total{') ? text : undefined;
    });
    expect(metrics).toMatch(/storefront_messages_published_total\{service="module-test",subject="catalog.product-created.v1"\} [1-9]/);
    expect(metrics).toMatch(/storefront_messages_consumed_total\{[^}]*outcome="applied"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/storefront_outbox_backlog\{service="module-test"\} 0/);
    expect(metrics).toMatch(/storefront_consumer_lag\{service="module-test",consumer="module-test-effects"\} 0/);
    expect(metrics).toMatch(/storefront_dead_letters\{service="module-test",consumer="module-test-effects"\} 0/);
    expect(app.get(MessagingRuntime).namespace.prefix).toBe(namespace.prefix);
  });

  it('shows a dead letter in readiness without taking the service out of rotation, and counts it on /metrics', async () => {
    const runtime = app.get(MessagingRuntime);
    // Breaks its contract: dead-lettered at once.
    await runtime.js.publish(namespace.subject(ProductCreatedV1.subject), JSON.stringify({ id: 'not an event' }));

    const ready = await waitFor(async () => {
      const report = await readiness();
      return report.checks['dead-letters']?.status === 'down' ? report : undefined;
    });
    expect(ready.status).toBe('ready');
    expect(ready.checks['dead-letters']?.error).toContain('module-test-effects: 1');
    const metrics = await waitFor(
      async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        return /storefront_dead_letters\{service="module-test",consumer="module-test-effects"\} 1/.test(text) ? text : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(metrics).toBeDefined();
    const [letter] = await runtime.deadLetters.list({ service: 'module-test' });
    expect(letter).toMatchObject({ consumer: 'module-test-effects', reason: 'contract', data: JSON.stringify({ id: 'not an event' }) });
    await runtime.deadLetters.discard(letter?.id as number);
  });

  it('is not ready while its consumer is gone, and re-creates it', async () => {
    const runtime = app.get(MessagingRuntime);
    await runtime.jsm.consumers.delete(namespace.stream(ProductCreatedV1.stream), 'module-test-effects');

    const down = await waitFor(
      async () => {
        const report = await readiness();
        return report.checks.consumers?.status === 'down' ? report : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    expect(down.status).toBe('not_ready');
    await waitFor(async () => (await readiness()).status === 'ready', { timeoutMs: 30_000 });

    const event = sampleEvent();
    await pg.$transaction((tx) => app.get(Outbox).add(tx, event));
    await waitFor(() => app.get(EffectsProjection).seen.includes(event.payload.sku), { timeoutMs: 15_000 });
  }, 60_000);
});
