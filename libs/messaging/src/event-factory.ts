import { randomUUID } from 'node:crypto';
import { context as otelContext, propagation } from '@opentelemetry/api';
import type { EnvelopeOf, EventDefinition, EventPayload } from '@storefront/contracts';
import { requestContext } from '@storefront/service-kit';

/**
 * Builds the envelope of a new event. The payload is checked against its schema here, so a service
 * can never publish an event its consumers would refuse. Correlation and causation come from the
 * request or message being handled, trace context from the active span: the event carries it
 * through the outbox to whoever handles it.
 */
export function createEvent<D extends EventDefinition>(
  definition: D,
  event: { source: string; aggregateId: string; payload: EventPayload<D>; occurredAt?: Date },
): EnvelopeOf<D> {
  const payload = definition.payload.parse(event.payload) as EventPayload<D>;
  const context = requestContext.current();
  const carrier: { traceparent?: string; tracestate?: string } = {};
  propagation.inject(otelContext.active(), carrier);
  const id = randomUUID();
  return {
    id,
    type: definition.type,
    version: definition.version,
    source: event.source,
    occurredAt: (event.occurredAt ?? new Date()).toISOString(),
    aggregateId: event.aggregateId,
    correlationId: context?.correlationId ?? id,
    causationId: context?.causationId ?? null,
    traceContext: {
      ...(carrier.traceparent ? { traceparent: carrier.traceparent } : {}),
      ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}),
    },
    payload,
  };
}

export function subjectOf(envelope: { type: string; version: number }): string {
  return `${envelope.type}.v${envelope.version}`;
}
