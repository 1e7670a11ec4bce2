import type { EventDefinition } from './event-definition';
import { envelopeJsonSchema } from './json-schema';
import { INTEGRATION_EVENTS } from './registry';

const pascal = (text: string) =>
  text
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join('');

/** `catalog.product-created.v1` → `CatalogProductCreatedV1` */
export function messageName(definition: EventDefinition): string {
  return pascal(definition.subject);
}

/**
 * The AsyncAPI documents, one per producing service (AsyncAPI describes one application per
 * document): `asyncapi/<producer>.json`, each generated from the zod schemas so the two can never
 * disagree; a test fails when one is stale. A new service's events make a new file, not an edit.
 */
export function buildAsyncApiDocuments(events: readonly EventDefinition[] = INTEGRATION_EVENTS): Map<string, Record<string, unknown>> {
  const producers = [...new Set(events.map((event) => event.producer))].sort();
  return new Map(
    producers.map((producer) => [
      producer,
      buildAsyncApiDocument(
        events.filter((event) => event.producer === producer),
        `Storefront integration events: what ${producer} publishes`,
      ),
    ]),
  );
}

/** The AsyncAPI 3 document of the given integration events. */
export function buildAsyncApiDocument(
  events: readonly EventDefinition[] = INTEGRATION_EVENTS,
  title = 'Storefront integration events',
): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const event of events) {
    const name = messageName(event);
    const channelId = name[0]?.toLowerCase() + name.slice(1);
    messages[name] = {
      name,
      title: `${event.type} v${event.version}`,
      summary: event.description,
      contentType: 'application/json',
      headers: {
        type: 'object',
        properties: {
          'Nats-Msg-Id': { type: 'string', description: 'The event id; JetStream drops a repeat within the de-duplication window' },
          traceparent: { type: 'string', description: 'W3C trace context of the producer' },
        },
      },
      payload: envelopeJsonSchema(event),
    };
    channels[channelId] = {
      address: event.subject,
      description: `Stored in the ${event.stream.name} stream.`,
      messages: { [name]: { $ref: `#/components/messages/${name}` } },
    };
    operations[`publish${name}`] = {
      action: 'send',
      summary: `${event.producer} publishes ${event.subject} through its transactional outbox`,
      channel: { $ref: `#/channels/${channelId}` },
      messages: [{ $ref: `#/channels/${channelId}/messages/${name}` }],
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title,
      version: '1.0.0',
      description:
        'Facts the Storefront services publish to NATS JetStream. Every message is an envelope (id, type, ' +
        'version, source, occurredAt, aggregateId, correlationId, causationId, traceContext) around the payload.',
    },
    defaultContentType: 'application/json',
    servers: {
      local: { host: '127.0.0.1:4222', protocol: 'nats', description: 'NATS with JetStream, as `npm start` uses it' },
    },
    channels,
    operations,
    components: { messages },
  };
}
