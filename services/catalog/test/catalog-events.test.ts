import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { CATALOG_STREAM, envelopeSchemaOf, ProductCreatedV1, ProductUpdatedV1 } from '@storefront/contracts';
import { connectNats } from '@storefront/messaging';
import { waitFor } from '@storefront/testing';
import { adminHeaders, startCatalog, type CatalogUnderTest } from './catalog-app';

/** Catalog is the first publisher: its changes leave through the outbox to JetStream. */
describe('catalog events', () => {
  let catalog: CatalogUnderTest;
  let nc: NatsConnection;

  const storedEvents = async () => {
    const jsm = await jetstreamManager(nc);
    const stream = catalog.namespace.stream(CATALOG_STREAM);
    const { state } = await jsm.streams.info(stream);
    const consumer = await jetstream(nc).consumers.get(stream, { deliver_policy: DeliverPolicy.All });
    const events: { subject: string; data: unknown; traceparent: string | undefined }[] = [];
    for (let index = 0; index < state.messages; index += 1) {
      const message = await consumer.next({ expires: 2_000 });
      if (!message) break;
      events.push({
        subject: catalog.namespace.logical(message.subject),
        data: message.json(),
        traceparent: message.headers?.get('traceparent') || undefined,
      });
    }
    return events;
  };

  const post = async (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${catalog.httpUrl}/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await adminHeaders()), ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    catalog = await startCatalog();
    nc = await connectNats(catalog.natsUrl, 'catalog-events-test');
  });

  afterAll(async () => {
    await nc.close();
    await catalog.close();
  });

  it('publishes catalog.product-created.v1 and catalog.product-updated.v1 that satisfy their contracts', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const created = await post(
      { sku: 'EVT-0001', name: 'Event Mug', category: 'home-kitchen', price: { amountMinor: 1200, currency: 'USD' } },
      { 'x-request-id': 'order-of-events-1', traceparent },
    );
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const updated = await fetch(`${catalog.httpUrl}/products/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'x-request-id': 'order-of-events-2', ...(await adminHeaders()) },
      body: JSON.stringify({ price: { amountMinor: 1500, currency: 'USD' } }),
    });
    expect(updated.status).toBe(200);

    // The seed announced the demo products too; these are the events about this one.
    const events = await waitFor(async () => {
      const mine = (await storedEvents()).filter((event) => (event.data as { aggregateId: string }).aggregateId === id);
      return mine.length >= 2 ? mine : undefined;
    });

    expect(events.map((event) => event.subject)).toEqual([ProductCreatedV1.subject, ProductUpdatedV1.subject]);
    const createdEvent = envelopeSchemaOf(ProductCreatedV1).parse(events[0]?.data);
    const updatedEvent = envelopeSchemaOf(ProductUpdatedV1).parse(events[1]?.data);
    expect(createdEvent).toMatchObject({
      source: 'catalog',
      aggregateId: id,
      correlationId: 'order-of-events-1',
      traceContext: { traceparent },
      payload: { productId: id, sku: 'EVT-0001', price: { amountMinor: 1200 }, category: { slug: 'home-kitchen' } },
    });
    expect(events[0]?.traceparent).toBe(traceparent);
    expect(updatedEvent).toMatchObject({
      correlationId: 'order-of-events-2',
      payload: { productId: id, price: { amountMinor: 1500 }, changedFields: ['price'] },
    });
  });

  it('writes no event when a change is refused or changes nothing', async () => {
    const outboxRows = () => catalog.prisma.outboxMessage.count();
    const before = await outboxRows();
    const duplicate = await post({ sku: 'EVT-0001', name: 'Again', category: 'books', price: { amountMinor: 1, currency: 'USD' } });
    expect(duplicate.status).toBe(409);
    const { items } = (await (await fetch(`${catalog.httpUrl}/products?q=Event%20Mug`)).json()) as { items: { id: string }[] };
    const same = await fetch(`${catalog.httpUrl}/products/${items[0]?.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...(await adminHeaders()) },
      body: JSON.stringify({ name: 'Event Mug' }),
    });
    expect(same.status).toBe(200);

    expect(await outboxRows()).toBe(before);
  });
});
