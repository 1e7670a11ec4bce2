import { z } from 'zod';
import type { EventDefinition, EventPayload } from './event-definition';

/**
 * What travels on the wire for every integration event. Consumers parse leniently (unknown fields
 * are ignored) so producers may add optional fields within a version.
 */
export const eventEnvelopeSchema = z.object({
  id: z.uuid().describe('Unique per event; also the JetStream Nats-Msg-Id, so a republished event is dropped'),
  type: z.string().describe('Event type without version, e.g. orders.order-placed'),
  version: z.number().int().positive(),
  source: z.string().describe('The service that published it'),
  occurredAt: z.iso.datetime({ offset: true }),
  aggregateId: z.string().min(1).describe('Id of the entity the fact is about'),
  correlationId: z.string().min(1).describe('Shared by every message caused by one original request'),
  causationId: z.string().nullable().describe('Id of the message or request that caused this one'),
  traceContext: z
    .object({ traceparent: z.string().optional(), tracestate: z.string().optional() })
    .describe('W3C trace context of the producer'),
  payload: z.unknown(),
});

export type EventEnvelope<P = unknown> = Omit<z.output<typeof eventEnvelopeSchema>, 'payload'> & { payload: P };

/** The envelope schema of one event version, payload included. */
function buildEnvelopeSchema<D extends EventDefinition>(definition: D) {
  return eventEnvelopeSchema.extend({
    type: z.literal(definition.type),
    version: z.literal(definition.version),
    payload: definition.payload,
  });
}

/** Built once per definition: zod compiles a schema on its first parses, so a new one per message costs a compile each time. */
const envelopeSchemas = new WeakMap<EventDefinition, ReturnType<typeof buildEnvelopeSchema>>();

export function envelopeSchemaOf<D extends EventDefinition>(definition: D): ReturnType<typeof buildEnvelopeSchema<D>> {
  let schema = envelopeSchemas.get(definition);
  if (!schema) envelopeSchemas.set(definition, (schema = buildEnvelopeSchema(definition)));
  return schema;
}

export type EnvelopeOf<D extends EventDefinition> = EventEnvelope<EventPayload<D>>;
