import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ProductUpdatedV1, StockChangedV1, STREAMS, type EnvelopeOf, type EventDefinition } from '@storefront/contracts';
import { HealthRegistry } from '@storefront/service-kit';
import { waitFor } from '@storefront/testing';
import { connectNats, createEvent, deleteStreams, EventWatcher, Namespace } from '../src';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

function stockChanged(sku: string, version: number) {
  return createEvent(StockChangedV1, {
    source: 'inventory',
    aggregateId: sku,
    payload: { sku, available: 3, reserved: 0, sold: 0, version, reason: 'restock' },
  });
}

/** EventWatcher against the real NATS: every replica sees every event, from the newest on, in order. */
describe('EventWatcher', () => {
  const namespace = new Namespace(`w${randomBytes(5).toString('hex')}`);
  let nc: NatsConnection;
  const watchers: EventWatcher[] = [];

  function startWatcher(definitions: readonly EventDefinition[]) {
    const seen: EnvelopeOf<EventDefinition>[] = [];
    const interruptions: string[] = [];
    const watcher = new EventWatcher({ service: 'test', natsUrl: NATS_URL, namespace: namespace.prefix }, new HealthRegistry());
    watcher.watch(definitions, {
      onEvent: (event) => seen.push(event),
      onInterrupted: (reason) => interruptions.push(reason),
      onResumed: () => undefined,
    });
    watchers.push(watcher);
    return { watcher, seen, interruptions };
  }

  const publish = (subject: string, body: string) => jetstream(nc).publish(namespace.subject(subject), body);

  beforeAll(async () => {
    nc = await connectNats(NATS_URL, 'event-watch-test');
  });

  afterAll(async () => {
    for (const watcher of watchers) await watcher.onApplicationShutdown();
    await deleteStreams(await jetstreamManager(nc), namespace, STREAMS);
    await nc.close();
  });

  it('gives every watcher every event of its definitions from its own start on, in order', async () => {
    const first = startWatcher([StockChangedV1]);
    await first.watcher.onApplicationBootstrap();
    await publish(StockChangedV1.subject, JSON.stringify(stockChanged('SKU-OLD', 1)));
    await waitFor(() => first.seen.length === 1, { what: 'the first event' });
    // A second replica starts now: it sees what comes from here on, not the history.
    const second = startWatcher([StockChangedV1, ProductUpdatedV1]);
    await second.watcher.onApplicationBootstrap();
    const events = [1, 2, 3].map((version) => stockChanged('SKU-A', version));
    for (const event of events) await publish(StockChangedV1.subject, JSON.stringify(event));
    await waitFor(() => first.seen.length === 4 && second.seen.length === 3, { what: 'both watchers to see the events' });
    expect(second.seen.map((event) => event.id)).toEqual(events.map((event) => event.id));
    expect(first.seen.slice(1).map((event) => event.id)).toEqual(events.map((event) => event.id));
  });

  it('reports an event it cannot decode as an interruption of its watchers', async () => {
    const watching = startWatcher([StockChangedV1]);
    await watching.watcher.onApplicationBootstrap();
    await publish(StockChangedV1.subject, JSON.stringify({ not: 'an envelope' }));
    await publish(StockChangedV1.subject, 'not json');
    await waitFor(() => watching.interruptions.length === 2, { what: 'two interruptions' });
    expect(watching.seen).toEqual([]);
  });
});
