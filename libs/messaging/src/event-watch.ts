import { DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  Inject,
  Injectable,
  Logger,
  Module,
  Optional,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { envelopeSchemaOf, STREAMS, type EnvelopeOf, type EventDefinition, type StreamDefinition } from '@storefront/contracts';
import { HealthRegistry } from '@storefront/service-kit';
import { connectNats, ensureStreams, serverTakesManyFilters } from './jetstream';
import { MessagingRuntime } from './messaging.module';
import { Namespace } from './namespace';

/** What a watch does with the events it sees, and when it cannot be sure it sees them all. */
export interface EventWatchHandlers {
  /** An event of one of the watched definitions, decoded. Runs synchronously, in stream order. */
  onEvent(event: EnvelopeOf<EventDefinition>, definition: EventDefinition): void;
  /**
   * Events may be passing unseen (the connection is down, heartbeats are missing) or one could not
   * be decoded: whatever depends on them must not be trusted until onResumed().
   */
  onInterrupted(reason: string): void;
  /** Events arrive again. */
  onResumed(): void;
}

interface WatchedSubject {
  readonly definition: EventDefinition;
  readonly handlers: EventWatchHandlers[];
}

interface Watch {
  readonly definitions: readonly EventDefinition[];
  readonly handlers: EventWatchHandlers;
}

export interface EventWatchOptions {
  readonly service: string;
  readonly natsUrl: string;
  /** Subject and stream prefix; empty in production (see Namespace). */
  readonly namespace?: string;
}

const EVENT_WATCH_OPTIONS = Symbol('EventWatchOptions');

/**
 * Watches events without keeping them: an ephemeral ordered JetStream consumer per stream, from
 * the newest message on (deliver policy "new"), no acks, no inbox, no database. For in-memory state
 * every replica keeps for itself and can drop at any time (a cache to invalidate); durable consumers
 * with an inbox (@HandlesEvent) are for effects that must happen once.
 *
 * Ephemeral rather than durable: every replica must see every event (a durable consumer shares its
 * messages among the processes that pull from it), a replica that starts has nothing to catch up on
 * (its memory starts empty), and the server forgets the consumer once the replica is gone. The
 * ordered consumer re-creates itself after a gap or a reconnect, from the sequence after the last
 * one it delivered, so events published meanwhile still arrive; while it cannot be sure
 * (disconnected, heartbeats missing) the watch reports onInterrupted, and /health/ready shows it
 * (without failing the probe).
 */
@Injectable()
export class EventWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EventWatch');
  private readonly watches: Watch[] = [];
  private readonly running: ConsumerMessages[] = [];
  private nc: NatsConnection | undefined;
  private ownConnection = false;
  private interrupted: string | undefined = 'not started';
  private readonly namespace: Namespace;

  constructor(
    @Inject(EVENT_WATCH_OPTIONS) private readonly options: EventWatchOptions,
    private readonly health: HealthRegistry,
    // A service with MessagingModule shares its connection; the gateway has only this.
    @Optional() private readonly runtime?: MessagingRuntime,
  ) {
    this.namespace = new Namespace(options.namespace ?? '');
  }

  /** Registers a watch; call it before the application has started (a provider's constructor or onModuleInit). */
  watch(definitions: readonly EventDefinition[], handlers: EventWatchHandlers): void {
    this.watches.push({ definitions, handlers });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.watches.length === 0) return;
    // Shown, not gating: while interrupted the watchers stop trusting what they keep (a cache reads
    // through), which is slower, not wrong; taking the process out of service would be worse.
    this.health.register(
      'event-watch',
      () => (this.interrupted === undefined ? Promise.resolve('watching') : Promise.reject(new Error(this.interrupted))),
      { affectsReadiness: false },
    );
    if (this.runtime?.nc) {
      this.nc = this.runtime.nc;
    } else {
      try {
        this.nc = await connectNats(this.options.natsUrl, this.options.service);
      } catch (error) {
        throw new Error(`cannot reach NATS at ${this.options.natsUrl} (NATS_URL): ${(error as Error).message}`, { cause: error });
      }
      this.ownConnection = true;
    }
    const jsm = await jetstreamManager(this.nc);
    await ensureStreams(jsm, this.namespace, STREAMS);
    const byStream = new Map<StreamDefinition, Map<string, WatchedSubject>>();
    for (const watch of this.watches) {
      for (const definition of watch.definitions) {
        const subjects = byStream.get(definition.stream) ?? new Map<string, WatchedSubject>();
        const entry = subjects.get(definition.subject) ?? { definition, handlers: [] };
        entry.handlers.push(watch.handlers);
        subjects.set(definition.subject, entry);
        byStream.set(definition.stream, subjects);
      }
    }
    for (const [stream, subjects] of byStream) await this.consume(jsm, stream, subjects);
    void this.followConnection();
    this.resume();
  }

  private async consume(jsm: JetStreamManager, stream: StreamDefinition, subjects: Map<string, WatchedSubject>): Promise<void> {
    const names = [...subjects.keys()].map((subject) => this.namespace.subject(subject));
    // One filter subject (a string: an array is filter_subjects, which NATS 2.9 refuses), several
    // on NATS 2.10+; on 2.9 the whole stream, skipping the rest.
    const filter = names.length === 1 ? (names[0] as string) : serverTakesManyFilters(jsm) ? names : this.namespace.streamSubjects(stream);
    const consumer = await jetstream(this.nc as NatsConnection).consumers.get(this.namespace.stream(stream), {
      filter_subjects: filter,
      deliver_policy: DeliverPolicy.New,
    });
    const messages = await consumer.consume({
      callback: (message) => {
        // A delivery proves the watch alive again (after missed heartbeats, say).
        this.resume();
        const entry = subjects.get(this.namespace.logical(message.subject));
        if (!entry) return;
        const parsed = (() => {
          try {
            return envelopeSchemaOf(entry.definition).safeParse(message.json());
          } catch {
            return undefined;
          }
        })();
        if (!parsed?.success) {
          // An event we cannot read may be one that should have invalidated something.
          this.logger.warn({ subject: message.subject, seq: message.seq }, 'an event could not be decoded; interrupting its watchers');
          for (const handlers of entry.handlers) {
            handlers.onInterrupted('an undecodable event');
            handlers.onResumed();
          }
          return;
        }
        for (const handlers of entry.handlers) handlers.onEvent(parsed.data, entry.definition);
      },
    });
    this.running.push(messages);
    void (async () => {
      for await (const status of messages.status()) {
        if (status.type === 'heartbeats_missed' || status.type === 'stream_not_found' || status.type === 'consumer_deleted') {
          this.interrupt(`${stream.name}: ${status.type}`);
        } else if (status.type === 'ordered_consumer_recreated' || status.type === 'heartbeat') {
          this.resume();
        }
      }
    })().catch(() => undefined);
  }

  private async followConnection(): Promise<void> {
    const nc = this.nc as NatsConnection;
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') this.interrupt('NATS disconnected');
      else if (status.type === 'reconnect') this.resume();
    }
  }

  private interrupt(reason: string): void {
    if (this.interrupted !== undefined) return;
    this.interrupted = reason;
    this.logger.warn(`event watch interrupted: ${reason}`);
    for (const watch of this.watches) watch.handlers.onInterrupted(reason);
  }

  private resume(): void {
    if (this.interrupted === undefined) return;
    this.interrupted = undefined;
    for (const watch of this.watches) watch.handlers.onResumed();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const messages of this.running) messages.stop();
    if (this.ownConnection) await this.nc?.drain().catch(() => undefined);
  }
}

/**
 * EventWatcher for a process: `EventWatchModule.forRoot({ service, natsUrl, namespace })`. In a
 * service that also imports MessagingModule the watcher uses its connection.
 */
@Module({})
export class EventWatchModule {
  static forRoot(options: EventWatchOptions): DynamicModule {
    return {
      module: EventWatchModule,
      global: true,
      providers: [{ provide: EVENT_WATCH_OPTIONS, useValue: options }, EventWatcher],
      exports: [EventWatcher],
    };
  }

  /** forRoot with the variables of natsConfigSchema, as the process parsed them. */
  static fromConfig(config: { readonly NATS_URL: string; readonly MESSAGING_NAMESPACE: string }, service: string): DynamicModule {
    return EventWatchModule.forRoot({ service, natsUrl: config.NATS_URL, namespace: config.MESSAGING_NAMESPACE });
  }
}
