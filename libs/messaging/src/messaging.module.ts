import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  Inject,
  Injectable,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Pool } from 'pg';
import { STREAMS } from '@storefront/contracts';
import { HealthRegistry } from '@storefront/service-kit';
import { DeadLetters } from './dead-letters';
import { EventConsumer, type EventHandlerBinding } from './event-consumer';
import { HANDLES_EVENT, type HandlesEventMetadata } from './handles-event.decorator';
import { connectNats, ensureStreams } from './jetstream';
import { collectedGauge } from './metrics';
import { Namespace } from './namespace';
import { Outbox, type SqlTransaction, type TransactionRunner } from './outbox';
import { OutboxRelay } from './outbox-relay';
import { DEFAULT_RETENTION, inboxHorizon, RetentionSweeper, type RetentionSettings } from './retention';

/**
 * Anything with a `$transaction(work)`: in a service, SqlDatabase of @storefront/persistence (plain pg
 * on the service's pool); a Prisma client works too.
 */
export interface TransactionalClient {
  $transaction<T>(work: (tx: never) => Promise<T>): Promise<T>;
}

export interface MessagingOptions {
  readonly service: string;
  readonly natsUrl: string;
  readonly databaseUrl: string;
  /** Subject and stream prefix; empty in production (see Namespace). */
  readonly namespace?: string;
  /**
   * Provider token of the client whose `$transaction` consumers run in: the service's SqlDatabase,
   * provided globally (DatabaseClientModule of @storefront/persistence) so this module can inject it.
   */
  readonly transactionalClient: unknown;
  readonly relay?: { readonly enabled?: boolean; readonly pollIntervalMs?: number; readonly batchSize?: number };
  readonly consumers?: { readonly maxDeliver?: number; readonly ackWaitMs?: number; readonly retryDelaysMs?: number[] };
  /** How long published outbox rows and inbox rows are kept (see RetentionSweeper). */
  readonly retention?: Partial<RetentionSettings>;
}

const MESSAGING_OPTIONS = Symbol('MessagingOptions');
const TRANSACTIONAL_CLIENT = Symbol('TransactionalClient');

/** The NATS connection, JetStream handles and the relay's own PostgreSQL pool, for the process. */
@Injectable()
export class MessagingRuntime implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Messaging');
  nc!: NatsConnection;
  js!: JetStreamClient;
  jsm!: JetStreamManager;
  readonly namespace: Namespace;
  readonly pool: Pool;
  private readonly retention: RetentionSettings;
  deadLetters!: DeadLetters;
  private relay: OutboxRelay | undefined;
  private sweeper: RetentionSweeper | undefined;
  private readonly consumers: EventConsumer[] = [];

  constructor(
    @Inject(MESSAGING_OPTIONS) readonly options: MessagingOptions,
    @Inject(TRANSACTIONAL_CLIENT) private readonly client: TransactionalClient,
    private readonly health: HealthRegistry,
    private readonly outbox: Outbox,
  ) {
    this.namespace = new Namespace(options.namespace ?? '');
    this.retention = { ...DEFAULT_RETENTION, ...options.retention };
    // Connections once opened stay, as the service's own pool's do (DatabaseClientModule).
    this.pool = new Pool({ connectionString: options.databaseUrl, max: 4, min: 4 });
    // An idle connection that breaks (database restart) is replaced on next use; without a
    // listener the pool's 'error' event would crash the process.
    this.pool.on('error', (error) => this.logger.warn({ err: error }, 'an idle relay connection failed'));
  }

  async onModuleInit(): Promise<void> {
    try {
      this.nc = await connectNats(this.options.natsUrl, this.options.service);
    } catch (error) {
      throw new Error(`cannot reach NATS at ${this.options.natsUrl} (NATS_URL): ${(error as Error).message}`, { cause: error });
    }
    this.js = jetstream(this.nc);
    this.jsm = await jetstreamManager(this.nc);
    await ensureStreams(this.jsm, this.namespace, STREAMS);
    this.deadLetters = new DeadLetters({ js: this.js, jsm: this.jsm, namespace: this.namespace });
    const service = this.options.service;
    this.health.register('nats', async () => {
      if (this.nc.isClosed()) throw new Error('connection closed');
      await this.nc.flush();
    });
    this.health.register('consumers', () => {
      const states = Object.fromEntries(this.consumers.map((consumer) => [consumer.durable, consumer.health()]));
      const failing = Object.entries(states).filter(([, health]) => health.state !== 'consuming');
      if (failing.length > 0) {
        const reasons = failing.map(([durable, health]) => `${durable} ${health.state}${health.lastError ? ` (${health.lastError})` : ''}`);
        return Promise.reject(new Error(reasons.join('; ')));
      }
      return Promise.resolve(Object.fromEntries(Object.entries(states).map(([durable, health]) => [durable, health.state])));
    });
    // Shown, not gating: a dead letter needs a person (pnpm dlq), not fewer requests.
    this.health.register(
      'dead-letters',
      async () => {
        const counts = await this.deadLetters.counts({ service });
        if (counts.size === 0) return { total: 0 };
        const listed = [...counts].map(([key, count]) => `${key.split('/')[1]}: ${count}`).join(', ');
        throw new Error(`dead letters waiting (pnpm dlq list --service ${service}): ${listed}`);
      },
      { affectsReadiness: false },
    );
    collectedGauge('storefront_outbox_backlog', 'Outbox rows not yet published', ['service'], async (gauge) => {
      const { rows } = await this.pool.query<{ count: string }>('SELECT count(*) FROM "outbox" WHERE "published_at" IS NULL');
      gauge.set({ service }, Number(rows[0]?.count ?? 0));
    });
    collectedGauge('storefront_consumer_lag', 'Events a consumer has not yet acknowledged', ['service', 'consumer'], async (gauge) => {
      for (const consumer of this.consumers) {
        gauge.set({ service, consumer: consumer.durable }, await consumer.lag().catch(() => -1));
      }
    });
    collectedGauge(
      'storefront_dead_letters',
      'Messages in the dead-letter stream, by the consumer that gave up on them',
      ['service', 'consumer'],
      async (gauge) => {
        const counts = await this.deadLetters.counts({ service });
        gauge.reset();
        for (const consumer of this.consumers)
          gauge.set({ service, consumer: consumer.durable }, counts.get(`${service}/${consumer.durable}`) ?? 0);
        for (const [key, count] of counts) gauge.set({ service, consumer: key.split('/')[1] }, count);
      },
    );
  }

  get transaction(): TransactionRunner {
    return <T>(work: (tx: SqlTransaction) => Promise<T>) => this.client.$transaction((tx: never) => work(tx));
  }

  async startRelay(): Promise<void> {
    if (this.options.relay?.enabled === false) return;
    this.relay = new OutboxRelay({
      service: this.options.service,
      pool: this.pool,
      js: this.js,
      namespace: this.namespace,
      ...(this.options.relay?.pollIntervalMs ? { pollIntervalMs: this.options.relay.pollIntervalMs } : {}),
      ...(this.options.relay?.batchSize ? { batchSize: this.options.relay.batchSize } : {}),
      onMissingStream: () => ensureStreams(this.jsm, this.namespace, STREAMS),
      log: (level, message, fields) => this.logger[level === 'info' ? 'log' : level]({ ...fields }, message),
    });
    await this.relay.start();
    // Transactions publish their own events after commit from now on; the relay does what they miss.
    this.outbox.publishAfterCommit(this.relay);
  }

  /** Prunes published outbox rows and old inbox rows of this process's consumers in the background. */
  startSweeper(): void {
    this.sweeper = new RetentionSweeper({
      pool: this.pool,
      jsm: this.jsm,
      consumers: () => this.consumers,
      settings: this.retention,
      log: (level, message, fields) => this.logger[level === 'info' ? 'log' : level]({ ...fields }, message),
    });
    this.sweeper.start();
  }

  async startConsumer(
    durable: string,
    handlers: EventHandlerBinding[],
    settings: { maxGroup?: number; lanes?: number } = {},
  ): Promise<void> {
    const stream = handlers[0]?.definition.stream;
    if (!stream) return;
    const consumer = new EventConsumer({
      service: this.options.service,
      durable,
      stream,
      handlers,
      js: this.js,
      jsm: this.jsm,
      namespace: this.namespace,
      transaction: this.transaction,
      ...this.options.consumers,
      ...(settings.maxGroup === undefined ? {} : { maxGroup: settings.maxGroup }),
      ...(settings.lanes === undefined ? {} : { lanes: settings.lanes }),
      startAfter: () => inboxHorizon(this.pool, durable, this.retention.clockSkewMarginMs),
      log: (level, message, fields) => this.logger[level === 'info' ? 'log' : level]({ ...fields }, message),
    });
    await consumer.start();
    this.consumers.push(consumer);
  }

  /** Pending plus unacknowledged messages of one of this process's durable consumers. */
  async consumerLag(durable: string): Promise<number> {
    const consumer = this.consumers.find((candidate) => candidate.durable === durable);
    if (!consumer) throw new Error(`no consumer named ${durable} runs in this process`);
    return consumer.lag();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
    this.outbox.publishAfterCommit(undefined);
    await this.relay?.stop();
    await this.sweeper?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.nc?.drain().catch(() => undefined);
    await this.pool.end();
  }
}

/** Finds @HandlesEvent methods and starts one durable consumer per consumer name. */
@Injectable()
class EventHandlerExplorer implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly runtime: MessagingRuntime,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const byConsumer = new Map<string, EventHandlerBinding[]>();
    const maxGroup = new Map<string, number>();
    const lanes = new Map<string, number>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      for (const method of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance) as object)) {
        const handler = instance[method] as ((...args: unknown[]) => Promise<void>) | undefined;
        if (typeof handler !== 'function') continue;
        const metadata = this.reflector.get<HandlesEventMetadata | undefined>(HANDLES_EVENT, handler);
        if (!metadata) continue;
        const bindings = byConsumer.get(metadata.consumer) ?? [];
        for (const definition of metadata.definitions) {
          bindings.push({ definition, handle: (event, tx) => handler.call(instance, event, tx, definition) });
        }
        byConsumer.set(metadata.consumer, bindings);
        if (metadata.maxGroup !== undefined) {
          maxGroup.set(metadata.consumer, Math.min(metadata.maxGroup, maxGroup.get(metadata.consumer) ?? metadata.maxGroup));
        }
        if (metadata.lanes !== undefined) {
          lanes.set(metadata.consumer, Math.min(metadata.lanes, lanes.get(metadata.consumer) ?? metadata.lanes));
        }
      }
    }
    for (const [durable, bindings] of byConsumer) {
      const streams = new Set(bindings.map((binding) => binding.definition.stream.name));
      if (streams.size > 1) throw new Error(`consumer ${durable} mixes streams ${[...streams].join(', ')}; use one consumer per stream`);
      await this.runtime.startConsumer(durable, bindings, { maxGroup: maxGroup.get(durable), lanes: lanes.get(durable) });
    }
    await this.runtime.startRelay();
    this.runtime.startSweeper();
  }
}

/**
 * Events for a service: `Outbox` to publish inside its transactions, the relay that sends them,
 * and a durable consumer for every group of `@HandlesEvent` methods. Import once in the root module.
 */
/** The variables of natsConfigSchema and databaseConfigSchema (service-kit), as a service parsed them. */
export interface MessagingConfig {
  readonly NATS_URL: string;
  readonly DATABASE_URL: string;
  readonly MESSAGING_NAMESPACE: string;
  readonly CONSUMER_ACK_WAIT_MS: number;
  readonly CONSUMER_MAX_DELIVER: number;
  readonly OUTBOX_RETENTION_SECONDS: number;
  readonly INBOX_RETENTION_SECONDS: number;
  readonly MESSAGING_PRUNE_INTERVAL_MS: number;
}

@Module({})
export class MessagingModule {
  /** forRoot with the connection and consumer settings taken from the service's parsed config. */
  static fromConfig(config: MessagingConfig, options: Pick<MessagingOptions, 'service' | 'transactionalClient' | 'relay'>): DynamicModule {
    return MessagingModule.forRoot({
      ...options,
      natsUrl: config.NATS_URL,
      databaseUrl: config.DATABASE_URL,
      namespace: config.MESSAGING_NAMESPACE,
      consumers: { ackWaitMs: config.CONSUMER_ACK_WAIT_MS, maxDeliver: config.CONSUMER_MAX_DELIVER },
      retention: {
        outboxMs: config.OUTBOX_RETENTION_SECONDS * 1_000,
        inboxMs: config.INBOX_RETENTION_SECONDS * 1_000,
        intervalMs: config.MESSAGING_PRUNE_INTERVAL_MS,
      },
    });
  }

  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        { provide: TRANSACTIONAL_CLIENT, useExisting: options.transactionalClient as never },
        MessagingRuntime,
        EventHandlerExplorer,
        Outbox,
      ],
      exports: [Outbox, MessagingRuntime],
    };
  }
}
