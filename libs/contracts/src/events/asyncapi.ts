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
 * The AsyncAPI 3 document of every integration event, generated from the zod schemas so the two can
 * never disagree. libs/contracts/asyncapi.json is this document; a test fails when it is stale.
 */
export function buildAsyncApiDocument(events: readonly EventDefinition[] = INTEGRATION_EVENTS): Record<string, unknown> {
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
      title: 'Storefront integration events',
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
