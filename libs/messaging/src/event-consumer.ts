import {
  AckPolicy,
  DeliverPolicy,
  type Consumer,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { context as otelContext, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { ZodError } from 'zod';
import { DEADLETTER_STREAM, envelopeSchemaOf, type EnvelopeOf, type EventDefinition, type StreamDefinition } from '@storefront/contracts';
import { classifyFailure, requestContext } from '@storefront/service-kit';
import { deadLetterSubject, REPLAY_TARGET_HEADER, type DeadLetterRecord } from './dead-letter-record';
import { DEFAULT_STREAM_SETTINGS, ensureStreams, serverTakesManyFilters, type StreamSettings } from './jetstream';
import { messagingMetrics } from './metrics';
import type { Namespace } from './namespace';
import type { SqlTransaction, TransactionRunner } from './outbox';
import { contextOfDelivery, MESSAGING_ATTRIBUTES, messagingTracer } from './tracing';

/** Applies one event inside the transaction that also records it in the inbox. */
export type EventHandlerFn<D extends EventDefinition = EventDefinition> = (event: EnvelopeOf<D>, tx: SqlTransaction) => Promise<void>;

export interface EventHandlerBinding {
  readonly definition: EventDefinition;
  readonly handle: EventHandlerFn;
}

export interface EventConsumerOptions {
  readonly service: string;
  /** Durable consumer name, unique per stream, e.g. "catalog-availability". */
  readonly durable: string;
  readonly stream: StreamDefinition;
  readonly handlers: readonly EventHandlerBinding[];
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly namespace: Namespace;
  readonly transaction: TransactionRunner;
  /** Refusals by the domain before the message goes to the dead-letter stream (other failures never send it there). */
  readonly maxDeliver?: number;
  /** How long JetStream waits for an ack (or a sign of progress) before it redelivers: a crashed consumer. */
  readonly ackWaitMs?: number;
  /** Delay before redelivery after the n-th failed attempt (the last value repeats); ±20 % jitter. */
  readonly retryDelaysMs?: readonly number[];
  /** Messages fetched at a time; each of them is kept alive with a progress signal until handled. */
  readonly batchSize?: number;
  /**
   * Most messages applied in one transaction (default 16; 1 applies each alone). Fewer commits
   * and round trips per event; see handleGroup for what happens when one of them fails.
   */
  readonly maxGroup?: number;
  /**
   * Groups applied at once (default 1). Messages go to a lane by their aggregate id, so one
   * aggregate's events keep their order; give more than one only to handlers whose transactions
   * for different aggregates touch no common rows (or lock them in one order), or they wait on
   * each other's locks.
   */
  readonly lanes?: number;
  /** Settings of the streams it re-creates when JetStream lost them. */
  readonly streamSettings?: StreamSettings;
  /**
   * Where a consumer that has to be created starts reading: after this time when its inbox was
   * pruned before it (the events before were applied and forgotten), from the start otherwise.
   */
  readonly startAfter?: () => Promise<Date | null>;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, fields?: object) => void;
  /**
   * Fault injection for tests: runs after the handler's transaction committed and before the ack.
   * Returning 'crash' leaves the message unacknowledged, as a process dying there would.
   */
  readonly beforeAck?: (event: EnvelopeOf<EventDefinition>) => Promise<'ack' | 'crash'>;
}

/** What readiness reports of a consumer. */
export interface ConsumerHealth {
  readonly state: 'starting' | 'consuming' | 'recovering' | 'stopped';
  readonly since: string;
  readonly lastError?: string;
}

/** The inbox rows of events, `$1` the consumer: `… ON CONFLICT DO NOTHING` to count them, or plain to fail on one applied before. */
function inboxInsertOf(count: number, onConflictDoNothing: boolean): string {
  const values = Array.from({ length: count }, (_row, index) => `($1, $${index * 2 + 2}::uuid, $${index * 2 + 3})`).join(', ');
  return `INSERT INTO "inbox" ("consumer", "event_id", "subject") VALUES ${values}${onConflictDoNothing ? ' ON CONFLICT DO NOTHING' : ''}`;
}

/** A delivery of an event this consumer applied before: the inbox's primary key refused its row. */
function isInboxDuplicate(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth += 1) {
    const { code, constraint, cause } = current as { code?: unknown; constraint?: unknown; cause?: unknown };
    if (code === '23505' && constraint === 'inbox_pkey') return true;
    current = cause;
  }
  return false;
}

/**
 * Records the events in the inbox as the transaction's first write. On a transaction that can
 * leave a write for later (the services' plain-pg runner) the rows go ahead of the handler's first
 * statement in its round trip, as a plain insert: an event applied before fails it on the inbox's
 * primary key, the transaction with it, and the caller sees a duplicate (isInboxDuplicate). Any
 * other transaction counts the rows it inserted. Resolves false for a duplicate found by counting.
 */
async function claimInInbox(tx: SqlTransaction, consumer: string, events: readonly { id: string; subject: string }[]): Promise<boolean> {
  const values = [consumer, ...events.flatMap((event) => [event.id, event.subject])];
  if (tx.$executeRawLater) {
    tx.$executeRawLater(inboxInsertOf(events.length, false), ...values);
    return true;
  }
  return (await tx.$executeRawUnsafe(inboxInsertOf(events.length, true), ...values)) === events.length;
}
/** A pull waits this long for messages; an idle consumer asks again after it. */
const FETCH_EXPIRES_MS = 10_000;
/** A skipped message's ack waits at most this long for an ack of the consumer's own to go with (see `skip`). */
const FOREIGN_ACK_DELAY_MS = 200;
/** Back-off of the fetch loop while JetStream is unreachable or being repaired. */
const RECOVERY_DELAYS_MS = [250, 500, 1_000, 2_000, 5_000];
/** Refusal counts kept per message; old ones are dropped beyond this (a restart forgets them too). */
const MAX_TRACKED_REFUSALS = 10_000;

/**
 * A durable JetStream pull consumer whose handlers have exactly-once effects: each event is applied
 * in one transaction together with an inbox row of its id, so a redelivered event is acknowledged
 * without a second effect.
 *
 * Failures are classified. A message that breaks its contract, or that the domain refuses
 * (a DomainError of a kind such as invalid, conflict or not_found) `maxDeliver` times, goes to the
 * DEADLETTER stream with the error. Every other failure (the database or NATS unavailable, a pool
 * or transaction timeout, a serialization failure, an unexpected error) is retried with capped
 * back-off for as long as it takes: JetStream's own delivery limit is off (max_deliver -1), so an
 * outage cannot use up a message's deliveries.
 *
 * Messages are fetched in batches (the next pull goes out while the last one's messages are still
 * being handled) and applied in groups, per lane in stream order; while they wait or run, each gets a
 * progress signal (`working()`) every third of the ack wait, so a slow handler does not make the
 * queued ones redeliver. When its stream or consumer is gone (JetStream lost its state), it
 * re-creates them and goes on. Each delivery is a CONSUMER span continuing the producer's trace; the
 * handler (its queries, the events it emits) runs inside it.
 */
export class EventConsumer {
  private running = false;
  private loop: Promise<void> | undefined;
  private consumer: Consumer | undefined;
  private batch: ConsumerMessages | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly held = new Set<JsMsg>();
  /** Messages of other types of the stream waiting for their ack (see `skip`). */
  private foreign: JsMsg[] = [];
  private foreignTimer: NodeJS.Timeout | undefined;
  /** One queue per lane (see EventConsumerOptions.lanes), kept from one pull to the next. */
  private readonly laneQueues: Lane[];
  /** Wakes the fetch loop waiting for room (roomToFetch). */
  private room: (() => void) | undefined;
  private readonly batchSize: number;
  private readonly refusals = new Map<number, number>();
  private state: ConsumerHealth = { state: 'starting', since: new Date().toISOString() };
  private readonly handlers: Map<string, EventHandlerBinding>;
  private readonly maxDeliver: number;
  private readonly maxGroup: number;
  private readonly lanes: number;
  private readonly ackWaitMs: number;
  private readonly retryDelays: readonly number[];
  private readonly log: NonNullable<EventConsumerOptions['log']>;

  constructor(private readonly options: EventConsumerOptions) {
    this.handlers = new Map(options.handlers.map((binding) => [binding.definition.subject, binding]));
    for (const binding of options.handlers) {
      if (binding.definition.stream.name !== options.stream.name) {
        throw new Error(`${binding.definition.subject} is not in stream ${options.stream.name}`);
      }
    }
    this.maxDeliver = options.maxDeliver ?? 5;
    this.maxGroup = Math.max(1, options.maxGroup ?? 16);
    this.lanes = Math.max(1, options.lanes ?? 1);
    this.laneQueues = Array.from({ length: this.lanes }, () => ({ queue: [], worker: undefined }));
    this.batchSize = Math.max(1, options.batchSize ?? 64);
    this.ackWaitMs = options.ackWaitMs ?? 30_000;
    this.retryDelays = options.retryDelaysMs ?? [1_000, 5_000, 15_000, 30_000];
    this.log = options.log ?? (() => undefined);
  }

  get durable(): string {
    return this.options.durable;
  }

  get streamName(): string {
    return this.options.namespace.stream(this.options.stream);
  }

  health(): ConsumerHealth {
    return this.state;
  }

  async start(): Promise<void> {
    if (this.running) return;
    await this.ensureConsumer();
    this.running = true;
    this.heartbeat = setInterval(
      () => {
        for (const message of this.held) message.working();
      },
      Math.max(100, Math.floor(this.ackWaitMs / 3)),
    );
    this.loop = this.run();
  }

  /** Stops fetching; the message being handled finishes first. */
  async stop(): Promise<void> {
    this.running = false;
    this.freed();
    // Ends the pull; its iterator (our reader) sees the end. Not awaited: that needs the reader to run.
    void this.batch?.close().catch(() => undefined);
    await this.loop;
    clearInterval(this.heartbeat);
    this.ackForeign();
    this.setState('stopped');
  }

  /** Messages not yet delivered plus delivered but not acknowledged: the consumer's lag. */
  async lag(): Promise<number> {
    const info = await this.options.jsm.consumers.info(this.streamName, this.options.durable);
    return info.num_pending + info.num_ack_pending;
  }

  /** Creates the durable consumer, or brings its settings up to date. */
  private async ensureConsumer(): Promise<void> {
    const { jsm, namespace, durable } = this.options;
    const subjects = [...this.handlers.keys()];
    const settings = {
      ack_wait: nanos(this.ackWaitMs),
      // Unlimited: an outage must not use up deliveries. Poison messages are counted by us (refusals).
      max_deliver: -1,
      max_ack_pending: 1_000,
      // Only the subjects it handles: one filter subject, or on NATS 2.10+ several. NATS 2.9 takes
      // one, so there a consumer of several types reads the whole stream and acks what it skips.
      ...(subjects.length === 1
        ? { filter_subject: namespace.subject(subjects[0] as string) }
        : serverTakesManyFilters(jsm)
          ? { filter_subject: '', filter_subjects: subjects.map((subject) => namespace.subject(subject)) }
          : { filter_subject: namespace.streamSubjects(this.options.stream) }),
    };
    try {
      await jsm.consumers.info(this.streamName, durable);
    } catch (error) {
      if (!isMissing(error)) throw error;
      const startAfter = await this.options.startAfter?.();
      // By sequence, not by time: NATS 2.9 (the oldest supported) refuses every later update of a
      // consumer with a start time.
      const start = startAfter
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: await this.firstSequenceAt(startAfter) }
        : { deliver_policy: DeliverPolicy.All };
      await jsm.consumers.add(this.streamName, { durable_name: durable, ack_policy: AckPolicy.Explicit, ...start, ...settings });
      if (startAfter) this.log('info', `created consumer ${durable}, reading from ${startAfter.toISOString()} (inbox horizon)`);
      return;
    }
    await jsm.consumers.update(this.streamName, durable, settings);
  }

  /** The sequence of the first message stored at or after `time` (the next one to come if none is). */
  private async firstSequenceAt(time: Date): Promise<number> {
    const probe = await this.options.js.consumers.get(this.streamName, {
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: time.toISOString(),
    });
    const messages = await probe.fetch({ max_messages: 1, expires: 1_000 });
    for await (const message of messages) return message.seq;
    return (await this.options.jsm.streams.info(this.streamName)).state.last_seq + 1;
  }

  /** Fetches and handles batches until stopped; repairs the stream and consumer when they are gone. */
  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        this.consumer ??= await this.options.js.consumers.get(this.streamName, this.options.durable);
        await this.fetchAndHandle(this.consumer);
        failures = 0;
      } catch (error) {
        if (!this.running) break;
        this.consumer = undefined;
        failures += 1;
        this.setState('recovering', error as Error);
        if (failures === 1 || failures % 20 === 0) {
          this.log('warn', `consumer ${this.options.durable} cannot fetch; recovering`, { err: error, failures });
        }
        await this.recover().catch(() => undefined);
        await sleep(RECOVERY_DELAYS_MS[Math.min(failures - 1, RECOVERY_DELAYS_MS.length - 1)] ?? 1_000);
      }
    }
    await this.idle();
  }

  /** Re-creates the streams and the consumer when JetStream says they do not exist. */
  private async recover(): Promise<void> {
    try {
      await this.options.jsm.consumers.info(this.streamName, this.options.durable);
    } catch (error) {
      if (!isMissing(error)) throw error;
      this.log('warn', `consumer ${this.options.durable} or its stream is gone; re-creating them`);
      await ensureStreams(
        this.options.jsm,
        this.options.namespace,
        [this.options.stream, DEADLETTER_STREAM],
        this.options.streamSettings ?? DEFAULT_STREAM_SETTINGS,
      );
      await this.ensureConsumer();
    }
  }

  /**
   * One pull of up to batchSize messages, taken off it as they arrive into `held` (so the heartbeat
   * can signal progress for every one of them) and into their lane's queue. Lanes outlive the pull:
   * the next pull goes out as soon as this one is complete and fewer than batchSize messages wait,
   * instead of after they were all handled, so the consumer is not idle between two pulls.
   */
  private async fetchAndHandle(consumer: Consumer): Promise<void> {
    await this.roomToFetch();
    if (!this.running) return;
    const batch = await consumer.fetch({
      max_messages: this.batchSize,
      expires: FETCH_EXPIRES_MS,
    });
    this.batch = batch;
    if (!this.running)
      void batch.close(); // stop() came while the pull was being set up
    else this.setState('consuming');
    try {
      for await (const message of batch) {
        this.held.add(message);
        // A message's lane follows from its aggregate, so one aggregate's events stay in stream
        // order while other aggregates' are applied beside them.
        const lane = this.laneQueues[this.lanes === 1 ? 0 : laneOf(message, this.lanes)] as Lane;
        lane.queue.push(message);
        lane.worker ??= this.work(lane);
      }
    } catch (error) {
      // What was taken off the pull is handled before the loop recovers.
      await this.idle();
      throw error;
    }
  }

  /** Resolves when fewer than batchSize messages are held (or when stopping). */
  private roomToFetch(): Promise<void> {
    if (this.held.size < this.batchSize || !this.running) return Promise.resolve();
    return new Promise((resolve) => (this.room = resolve));
  }

  private freed(): void {
    if (this.held.size < this.batchSize || !this.running) {
      const room = this.room;
      this.room = undefined;
      room?.();
    }
  }

  /** Resolves when every lane has handled what it was given. */
  private async idle(): Promise<void> {
    await Promise.all(this.laneQueues.flatMap((lane) => (lane.worker ? [lane.worker] : [])));
  }

  private async work(lane: Lane): Promise<void> {
    try {
      for (let message = lane.queue.shift(); message; message = lane.queue.shift()) {
        if (!this.running) {
          message.nak(); // stopping: another replica (or this one after a restart) takes it at once
          this.release([message]);
          continue;
        }
        // What has arrived meanwhile is applied with it, in stream order (see handleGroup).
        const group = [message, ...lane.queue.splice(0, this.maxGroup - 1)];
        try {
          await this.handleGroup(group);
        } finally {
          this.release(group);
        }
      }
    } catch (error) {
      // Never a rejection nobody listens to (Node would end the process on it). What the lane still
      // holds is given back at once, not kept alive by the heartbeat, and delivered again.
      this.log('error', `consumer ${this.options.durable} failed handling a batch; it is delivered again`, { err: error });
      const rest = lane.queue.splice(0);
      for (const message of rest) message.nak();
      this.release(rest);
    } finally {
      lane.worker = undefined;
    }
  }

  private release(messages: readonly JsMsg[]): void {
    for (const message of messages) this.held.delete(message);
    this.freed();
  }

  /**
   * Applies consecutive messages in one transaction: one multi-row inbox insert, each handler in
   * stream order, one commit, then the acks. Only first deliveries that decode and match their
   * contract join a group; anything else (a redelivery, a message for another consumer, a broken
   * one) is handled alone at its place in the order. When the group's transaction fails for any
   * reason (a duplicate in the inbox, a handler's refusal, an outage), nothing of it was applied and
   * each message goes through the one-at-a-time path, which classifies its own failure: the
   * exactly-once and dead-letter rules are those of a single message.
   */
  private async handleGroup(messages: readonly JsMsg[]): Promise<void> {
    let group: Grouped[] = [];
    const flush = async () => {
      if (group.length === 1) await this.handle((group[0] as Grouped).message);
      else if (group.length > 1) await this.applyGroup(group);
      group = [];
    };
    for (const message of messages) {
      if (this.running && this.isForeign(message)) {
        // Another type of the stream (NATS 2.9 cannot filter several subjects): skipped where it
        // is, without breaking the group around it, since this consumer never applies it.
        this.skip(message);
        continue;
      }
      const grouped = this.running && messages.length > 1 ? this.groupable(message) : undefined;
      if (grouped) {
        group.push(grouped);
        continue;
      }
      await flush();
      if (!this.running) {
        message.nak(); // stopping: another replica (or this one after a restart) takes it at once
        continue;
      }
      await this.handle(message);
    }
    await flush();
  }

  /** A message of a type this consumer has no handler for. */
  private isForeign(message: JsMsg): boolean {
    return !this.handlers.has(this.options.namespace.logical(message.subject));
  }

  /**
   * Acknowledges a message of another type of the stream with the consumer's next ack of its own,
   * or at the latest FOREIGN_ACK_DELAY_MS later: on NATS 2.9 a consumer of several types reads its
   * whole stream, and about half of what the saga's consumers receive is the other side's commands
   * or replies. Acked one by one, each was a write of its own to the NATS socket and a wake-up of
   * nats-server; written in the same turn of the event loop as another ack, the client sends them in
   * one write (docs/bench.md, item 53). Nothing depends on these acks but the consumer's pending
   * count: a message whose ack is lost with the process is delivered again and skipped again.
   */
  private skip(message: JsMsg): void {
    this.held.delete(message);
    this.foreign.push(message);
    if (!this.foreignTimer) {
      this.foreignTimer = setTimeout(() => this.ackForeign(), FOREIGN_ACK_DELAY_MS);
      this.foreignTimer.unref();
    }
  }

  /** Sends the skipped messages' acks; called right before the consumer's own acks, in the same turn. */
  private ackForeign(): void {
    clearTimeout(this.foreignTimer);
    this.foreignTimer = undefined;
    const foreign = this.foreign;
    this.foreign = [];
    for (const message of foreign) {
      try {
        message.ack();
      } catch {
        // The connection is closed: the message is delivered again after the ack wait, and skipped again.
      }
    }
  }

  /** The message decoded for a group, or undefined when it must be handled alone. */
  private groupable(message: JsMsg): Grouped | undefined {
    if (message.info.redelivered || message.headers?.get(REPLAY_TARGET_HEADER)) return undefined;
    const subject = this.options.namespace.logical(message.subject);
    const binding = this.handlers.get(subject);
    if (!binding) return undefined;
    let raw: unknown;
    try {
      raw = message.json();
    } catch {
      return undefined;
    }
    const parsed = envelopeSchemaOf(binding.definition).safeParse(raw);
    if (!parsed.success) return undefined;
    return { message, subject, binding, event: parsed.data, raw };
  }

  private async applyGroup(group: readonly Grouped[]): Promise<void> {
    const spans = group.map((item) => this.startSpan(item.message, item.subject, item.raw));
    try {
      await this.options.transaction(async (tx) => {
        const claimed = await claimInInbox(
          tx,
          this.options.durable,
          group.map((item) => ({ id: item.event.id, subject: item.subject })),
        );
        // One of them was applied before (a crash between commit and ack): one at a time sorts it out.
        if (!claimed) throw new GroupNotApplied('an event of the group is in the inbox already');
        for (const [index, item] of group.entries()) {
          const { span, parent } = spans[index] as { span: Span; parent: Context };
          span.setAttribute(MESSAGING_ATTRIBUTES.messageId, item.event.id);
          const context = { requestId: item.event.id, correlationId: item.event.correlationId, causationId: item.event.id };
          await otelContext.with(trace.setSpan(parent, span), () => requestContext.run(context, () => item.binding.handle(item.event, tx)));
        }
      });
    } catch (error) {
      for (const { span } of spans) {
        span.setAttribute('storefront.inbox.outcome', 'group-failed');
        span.end();
      }
      if (!(error instanceof GroupNotApplied) && !isInboxDuplicate(error)) {
        this.log('info', `a group of ${group.length} messages failed (${(error as Error).message}); handling them one at a time`, {
          consumer: this.options.durable,
        });
      }
      for (const item of group) {
        if (this.running) await this.handle(item.message);
        else item.message.nak();
      }
      return;
    }
    const acked: Grouped[] = [];
    for (const [index, item] of group.entries()) {
      const { span } = spans[index] as { span: Span };
      messagingMetrics.consumed.inc({
        service: this.options.service,
        consumer: this.options.durable,
        subject: item.subject,
        outcome: 'applied',
      });
      span.setAttribute('storefront.inbox.outcome', 'applied');
      span.setAttribute('storefront.inbox.group_size', group.length);
      span.end();
      if (this.options.beforeAck && (await this.options.beforeAck(item.event)) === 'crash') continue;
      acked.push(item);
    }
    // The acks of a group in one turn of the event loop: the NATS client writes them to the socket
    // together (it flushes once per microtask checkpoint), one write per group instead of per event.
    this.ackForeign();
    for (const item of acked) {
      this.refusals.delete(item.message.seq);
      item.message.ack();
    }
  }

  /** A CONSUMER span continuing the producer's trace, and the context it runs in. */
  private startSpan(message: JsMsg, subject: string, raw: unknown): { span: Span; parent: Context } {
    const traceContext = (raw as { traceContext?: { traceparent?: string; tracestate?: string } } | undefined)?.traceContext;
    const parent = contextOfDelivery(message.headers, typeof traceContext === 'object' ? traceContext : undefined);
    const span = messagingTracer().startSpan(
      `process ${subject}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          [MESSAGING_ATTRIBUTES.system]: 'nats',
          [MESSAGING_ATTRIBUTES.destination]: message.subject,
          [MESSAGING_ATTRIBUTES.operationType]: 'process',
          [MESSAGING_ATTRIBUTES.operationName]: 'process',
          [MESSAGING_ATTRIBUTES.consumerGroup]: this.options.durable,
          [MESSAGING_ATTRIBUTES.bodySize]: message.data.length,
          'messaging.nats.delivery_count': message.info.deliveryCount,
        },
      },
      parent,
    );
    return { span, parent };
  }

  private async handle(message: JsMsg): Promise<void> {
    const subject = this.options.namespace.logical(message.subject);
    const binding = this.handlers.get(subject);
    const labels = { service: this.options.service, consumer: this.options.durable, subject };
    if (!binding) {
      this.skip(message); // another event of the same stream; this consumer has no use for it
      return;
    }
    const replayFor = message.headers?.get(REPLAY_TARGET_HEADER);
    if (replayFor && replayFor !== this.options.durable) {
      // A dead letter replayed for another consumer of the subject; this one applied it already.
      messagingMetrics.consumed.inc({ ...labels, outcome: 'skipped' });
      message.ack();
      return;
    }
    if (message.info.redelivered) messagingMetrics.redelivered.inc(labels);

    let raw: unknown;
    let undecodable: Error | undefined;
    try {
      raw = message.json();
    } catch (error) {
      undecodable = error as Error;
    }
    const { span, parent } = this.startSpan(message, subject, raw);
    try {
      await otelContext.with(trace.setSpan(parent, span), () => this.process(message, subject, binding, { raw, undecodable }, span));
    } catch (error) {
      // process() settles every message itself; this is a last guard so one message cannot end the loop.
      this.log('error', `handling ${subject} failed unexpectedly; it stays pending`, { err: error });
      message.nak(this.delayAfter(message.info.deliveryCount));
    } finally {
      span.end();
    }
  }

  private async process(
    message: JsMsg,
    subject: string,
    binding: EventHandlerBinding,
    body: { raw: unknown; undecodable: Error | undefined },
    span: Span,
  ): Promise<void> {
    const labels = { service: this.options.service, consumer: this.options.durable, subject };
    let event: EnvelopeOf<EventDefinition>;
    try {
      if (body.undecodable) throw body.undecodable;
      event = envelopeSchemaOf(binding.definition).parse(body.raw);
    } catch (error) {
      // No retry can fix a message that breaks its contract.
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'breaks its contract; dead-lettered' });
      await this.deadLetter(message, subject, error as Error, 'contract');
      return;
    }
    span.setAttribute(MESSAGING_ATTRIBUTES.messageId, event.id);

    try {
      const context = { requestId: event.id, correlationId: event.correlationId, causationId: event.id };
      const applied = await requestContext.run(context, () =>
        this.options
          .transaction(async (tx) => {
            if (!(await claimInInbox(tx, this.options.durable, [{ id: event.id, subject }]))) return false;
            await binding.handle(event, tx);
            return true;
          })
          .catch((error: unknown) => {
            if (isInboxDuplicate(error)) return false;
            throw error;
          }),
      );
      messagingMetrics.consumed.inc({ ...labels, outcome: applied ? 'applied' : 'duplicate' });
      span.setAttribute('storefront.inbox.outcome', applied ? 'applied' : 'duplicate');
      if (this.options.beforeAck && (await this.options.beforeAck(event)) === 'crash') return;
      this.refusals.delete(message.seq);
      this.ackForeign();
      message.ack();
    } catch (error) {
      span.recordException(error as Error);
      const deliveries = message.info.deliveryCount;
      const reason = classifyFailure(error);
      if (reason === 'refused') {
        const refusals = (this.refusals.get(message.seq) ?? 0) + 1;
        this.trackRefusal(message.seq, refusals);
        if (refusals >= this.maxDeliver) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: 'refused; dead-lettered' });
          await this.deadLetter(message, subject, error as Error, 'refused', refusals);
          return;
        }
        const delay = this.delayAfter(refusals);
        messagingMetrics.retried.inc({ ...labels, reason: 'refused' });
        span.setStatus({ code: SpanStatusCode.ERROR, message: `refused; retry in ${delay} ms` });
        this.log('warn', `${subject} refused (${refusals} of ${this.maxDeliver} before the dead-letter stream), retry in ${delay} ms`, {
          err: error,
          eventId: event.id,
          consumer: this.options.durable,
        });
        message.nak(delay);
        return;
      }
      // Unavailable dependencies are waited out; an unexpected error too (a bug is fixed by a deploy, not by a dead letter).
      const delay = this.delayAfter(deliveries);
      messagingMetrics.retried.inc({ ...labels, reason });
      span.setStatus({ code: SpanStatusCode.ERROR, message: `${reason}; retry in ${delay} ms` });
      if (reason === 'unexpected' || deliveries === 1 || deliveries % 10 === 0) {
        this.log(
          reason === 'unexpected' ? 'error' : 'warn',
          `handling ${subject} failed (${reason}); delivery ${deliveries}, retry in ${delay} ms`,
          {
            err: error,
            eventId: event.id,
            consumer: this.options.durable,
          },
        );
      }
      message.nak(delay);
    }
  }

  private async deadLetter(
    message: JsMsg,
    subject: string,
    error: Error,
    reason: DeadLetterRecord['reason'],
    refusals?: number,
  ): Promise<void> {
    const { namespace, service, durable } = this.options;
    const eventId = (() => {
      try {
        const id = message.json<{ id?: unknown }>().id;
        return typeof id === 'string' ? id : undefined;
      } catch {
        return undefined;
      }
    })();
    const { code } = error as Error & { code?: unknown };
    // A schema's issues, one per field, instead of zod's JSON dump.
    const detail =
      error instanceof ZodError
        ? error.issues.map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`).join('; ')
        : error.message;
    const record: DeadLetterRecord = {
      consumer: durable,
      service,
      subject,
      stream: this.streamName,
      streamSequence: message.seq,
      deliveries: message.info.deliveryCount,
      reason,
      ...(refusals === undefined ? {} : { refusals }),
      ...(eventId === undefined ? {} : { eventId }),
      error: { name: error.name, message: detail, ...(typeof code === 'string' ? { code } : {}) },
      failedAt: new Date().toISOString(),
      data: message.string(),
    };
    try {
      await this.options.js.publish(namespace.subject(deadLetterSubject(service, durable)), JSON.stringify(record), {
        msgID: `${durable}:${message.seq}`,
      });
    } catch (publishError) {
      // Not acknowledged: JetStream delivers it again and we try the dead-letter stream again.
      this.log('error', `could not dead-letter ${subject}; it stays pending`, { err: publishError });
      message.nak(this.retryDelays.at(-1));
      return;
    }
    this.refusals.delete(message.seq);
    messagingMetrics.deadLettered.inc({ service, consumer: durable, subject });
    this.log('error', `gave up on ${subject} (${reason}) after ${record.deliveries} deliveries; moved to the dead-letter stream`, {
      err: error,
      consumer: durable,
      streamSequence: message.seq,
    });
    message.term();
  }

  private trackRefusal(sequence: number, refusals: number): void {
    this.refusals.delete(sequence);
    this.refusals.set(sequence, refusals);
    if (this.refusals.size > MAX_TRACKED_REFUSALS) this.refusals.delete(this.refusals.keys().next().value as number);
  }

  /** retryDelays[n - 1] (the last repeats), with ±20 % jitter so retries after an outage spread out. */
  private delayAfter(attempt: number): number {
    const base = this.retryDelays[Math.min(Math.max(attempt, 1) - 1, this.retryDelays.length - 1)] ?? 1_000;
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private setState(state: ConsumerHealth['state'], error?: Error): void {
    if (this.state.state === state && !error) return;
    this.state = {
      state,
      since: this.state.state === state ? this.state.since : new Date().toISOString(),
      ...(error ? { lastError: error.message } : {}),
    };
  }
}

/** Messages of some aggregates, applied in order by one worker at a time. */
interface Lane {
  readonly queue: JsMsg[];
  worker: Promise<void> | undefined;
}

/** A message of a group, decoded and checked against its contract. */
interface Grouped {
  readonly message: JsMsg;
  readonly subject: string;
  readonly binding: EventHandlerBinding;
  readonly event: EnvelopeOf<EventDefinition>;
  readonly raw: unknown;
}

/** The lane of a message: its envelope's aggregate id's (lane 0 when it has none). */
function laneOf(message: JsMsg, lanes: number): number {
  try {
    const aggregateId = message.json<{ aggregateId?: unknown }>().aggregateId;
    return laneOfAggregate(typeof aggregateId === 'string' ? aggregateId : '', lanes);
  } catch {
    return 0;
  }
}

/** The lane of an aggregate's events: a hash of its id. */
export function laneOfAggregate(aggregateId: string, lanes: number): number {
  let hash = 0;
  for (let index = 0; index < aggregateId.length; index += 1) hash = (hash * 31 + aggregateId.charCodeAt(index)) | 0;
  return Math.abs(hash) % lanes;
}

/** Rolls a group's transaction back so that its messages are handled one at a time. */
class GroupNotApplied extends Error {}

/** JetStream answered that the stream or the consumer does not exist. */
function isMissing(error: unknown): boolean {
  const { name, message } = error as { name?: string; message?: string };
  return (
    name === 'ConsumerNotFoundError' ||
    name === 'StreamNotFoundError' ||
    /consumer not found|stream not found|consumer deleted/i.test(message ?? '')
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
