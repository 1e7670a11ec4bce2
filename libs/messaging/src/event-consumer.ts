import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { type Span, SpanKind, SpanStatusCode, context as otelContext, trace } from '@opentelemetry/api';
import {
  DEADLETTER_STREAM,
  type EnvelopeOf,
  type EventDefinition,
  type StreamDefinition,
  envelopeSchemaOf,
} from '@storefront/contracts';
import { requestContext } from '@storefront/service-kit';
import { messagingMetrics } from './metrics';
import type { Namespace } from './namespace';
import type { SqlTransaction, TransactionRunner } from './outbox';
import { MESSAGING_ATTRIBUTES, contextOfDelivery, messagingTracer } from './tracing';

/** Applies one event inside the transaction that also records it in the inbox. */
export type EventHandlerFn<D extends EventDefinition = EventDefinition> = (
  event: EnvelopeOf<D>,
  tx: SqlTransaction,
) => Promise<void>;

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
  /** Deliveries before the message goes to the dead-letter stream. */
  readonly maxDeliver?: number;
  /** How long JetStream waits for an ack before it redelivers (a crashed consumer). */
  readonly ackWaitMs?: number;
  /** Delay before redelivery after the n-th failed attempt (the last value repeats). */
  readonly retryDelaysMs?: readonly number[];
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, fields?: object) => void;
  /**
   * Fault injection for tests: runs after the handler's transaction committed and before the ack.
   * Returning 'crash' leaves the message unacknowledged, as a process dying there would.
   */
  readonly beforeAck?: (event: EnvelopeOf<EventDefinition>) => Promise<'ack' | 'crash'>;
}

const INBOX_INSERT =
  'INSERT INTO "inbox" ("consumer", "event_id", "subject") VALUES ($1, $2::uuid, $3) ON CONFLICT DO NOTHING';

/**
 * A durable JetStream pull consumer whose handlers have exactly-once effects: each event is applied
 * in one transaction together with an inbox row of its id, so a redelivered event is acknowledged
 * without a second effect. A failing handler is retried with back-off (never acknowledged); after
 * the last delivery the message goes to the DEADLETTER stream with the error. Each delivery is a
 * CONSUMER span continuing the producer's trace; the handler (its queries, the events it emits) runs
 * inside it.
 */
export class EventConsumer {
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private readonly handlers: Map<string, EventHandlerBinding>;
  private readonly maxDeliver: number;
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
    this.retryDelays = options.retryDelaysMs ?? [1_000, 5_000, 15_000, 30_000];
    this.log = options.log ?? (() => undefined);
  }

  get durable(): string {
    return this.options.durable;
  }

  get streamName(): string {
    return this.options.namespace.stream(this.options.stream);
  }

  async start(): Promise<void> {
    const { jsm, js, namespace, durable } = this.options;
    const subjects = [...this.handlers.keys()];
    const config = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(this.options.ackWaitMs ?? 30_000),
      // Two spare deliveries beyond ours: if publishing to the dead-letter stream fails on the last
      // attempt, the message comes back and we try that again instead of losing it.
      max_deliver: this.maxDeliver + 2,
      deliver_policy: DeliverPolicy.All,
      // NATS 2.9 takes one filter subject: one event type, or the whole stream when there are more.
      filter_subject: subjects.length === 1 ? namespace.subject(subjects[0] as string) : namespace.streamSubjects(this.options.stream),
      max_ack_pending: 1_000,
    };
    try {
      await jsm.consumers.info(this.streamName, durable);
      await jsm.consumers.update(this.streamName, durable, config);
    } catch (error) {
      if (!String((error as Error).message).includes('consumer not found')) throw error;
      await jsm.consumers.add(this.streamName, config);
    }
    const consumer = await js.consumers.get(this.streamName, durable);
    this.messages = await consumer.consume({ max_messages: 64 });
    const messages = this.messages;
    this.loop = (async () => {
      for await (const message of messages) await this.handle(message);
    })();
  }

  /** Stops fetching; the message being handled finishes first. */
  async stop(): Promise<void> {
    await this.messages?.close();
    await this.loop?.catch(() => undefined);
  }

  /** Messages not yet delivered plus delivered but not acknowledged: the consumer's lag. */
  async lag(): Promise<number> {
    const info = await this.options.jsm.consumers.info(this.streamName, this.options.durable);
    return info.num_pending + info.num_ack_pending;
  }

  private async handle(message: JsMsg): Promise<void> {
    const subject = this.options.namespace.logical(message.subject);
    const binding = this.handlers.get(subject);
    const labels = { service: this.options.service, consumer: this.options.durable, subject };
    if (!binding) {
      message.ack(); // another event of the same stream; this consumer has no use for it
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
    try {
      await otelContext.with(trace.setSpan(parent, span), () => this.process(message, subject, binding, { raw, undecodable }, span));
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
      await this.deadLetter(message, subject, error as Error);
      return;
    }
    span.setAttribute(MESSAGING_ATTRIBUTES.messageId, event.id);

    try {
      const context = { requestId: event.id, correlationId: event.correlationId, causationId: event.id };
      const applied = await requestContext.run(context, () =>
        this.options.transaction(async (tx) => {
          const inserted = await tx.$executeRawUnsafe(INBOX_INSERT, this.options.durable, event.id, subject);
          if (inserted === 0) return false;
          await binding.handle(event, tx);
          return true;
        }),
      );
      messagingMetrics.consumed.inc({ ...labels, outcome: applied ? 'applied' : 'duplicate' });
      span.setAttribute('storefront.inbox.outcome', applied ? 'applied' : 'duplicate');
      if ((await this.options.beforeAck?.(event)) === 'crash') return;
      message.ack();
    } catch (error) {
      span.recordException(error as Error);
      const deliveries = message.info.deliveryCount;
      if (deliveries >= this.maxDeliver) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'dead-lettered' });
        await this.deadLetter(message, subject, error as Error);
        return;
      }
      const delay = this.retryDelays[Math.min(deliveries - 1, this.retryDelays.length - 1)] ?? 1_000;
      span.setStatus({ code: SpanStatusCode.ERROR, message: `retry in ${delay} ms` });
      this.log('warn', `handling ${subject} failed; delivery ${deliveries} of ${this.maxDeliver}, retry in ${delay} ms`, {
        err: error,
        eventId: event.id,
        consumer: this.options.durable,
      });
      message.nak(delay);
    }
  }

  private async deadLetter(message: JsMsg, subject: string, error: Error): Promise<void> {
    const { namespace, service, durable } = this.options;
    const record = {
      consumer: durable,
      service,
      subject,
      streamSequence: message.seq,
      deliveries: message.info.deliveryCount,
      error: { name: error.name, message: error.message },
      failedAt: new Date().toISOString(),
      data: message.string(),
    };
    try {
      await this.options.js.publish(namespace.subject(`${DEADLETTER_STREAM.domain}.${service}.${durable}`), JSON.stringify(record), {
        msgID: `${durable}:${message.seq}`,
      });
    } catch (publishError) {
      // Not acknowledged: JetStream delivers it again and we try the dead-letter stream again.
      this.log('error', `could not dead-letter ${subject}; it stays pending`, { err: publishError });
      message.nak(this.retryDelays.at(-1));
      return;
    }
    messagingMetrics.deadLettered.inc({ service, consumer: durable, subject });
    this.log('error', `gave up on ${subject} after ${record.deliveries} deliveries; moved to the dead-letter stream`, {
      err: error,
      consumer: durable,
      streamSequence: message.seq,
    });
    message.term();
  }
}
