import type { MsgHdrs } from '@nats-io/transport-node';
import { propagation, ROOT_CONTEXT, trace, type Context, type TextMapGetter, type TextMapSetter, type Tracer } from '@opentelemetry/api';

/*
 * How events carry a trace: the producer's context is stored in the envelope (`traceContext`) when
 * the event is created, so it survives the outbox; the relay's PRODUCER span continues it and puts
 * its own context in the NATS headers; the consumer's CONSUMER span continues that (or the
 * envelope's, for a message published without headers) and its handler runs inside it.
 */

export function messagingTracer(): Tracer {
  return trace.getTracer('@storefront/messaging');
}

/**
 * Messaging attribute names (messaging.system, messaging.destination.name, ...). They live in the
 * semantic-conventions package's unstable entry point, whose own advice is to copy them.
 */
export const MESSAGING_ATTRIBUTES = {
  system: 'messaging.system',
  destination: 'messaging.destination.name',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  messageId: 'messaging.message.id',
  bodySize: 'messaging.message.body.size',
  consumerGroup: 'messaging.consumer.group.name',
} as const;

const natsHeaderGetter: TextMapGetter<MsgHdrs | undefined> = {
  keys: (headers) => headers?.keys() ?? [],
  get: (headers, key) => (headers?.has(key) ? headers.get(key) : undefined),
};

export const natsHeaderSetter: TextMapSetter<MsgHdrs> = {
  set: (headers, key, value) => headers.set(key, value),
};

/** The trace context of an event's producer, as stored in its envelope. */
export function contextFromEnvelope(
  traceContext: { traceparent?: string | undefined; tracestate?: string | undefined } | undefined,
): Context {
  return propagation.extract(ROOT_CONTEXT, traceContext ?? {});
}

/** The context a delivered message continues: its NATS headers', else its envelope's. */
export function contextOfDelivery(headers: MsgHdrs | undefined, envelopeTraceContext: Parameters<typeof contextFromEnvelope>[0]): Context {
  const fromHeaders = propagation.extract(ROOT_CONTEXT, headers, natsHeaderGetter);
  return trace.getSpanContext(fromHeaders) ? fromHeaders : contextFromEnvelope(envelopeTraceContext);
}
