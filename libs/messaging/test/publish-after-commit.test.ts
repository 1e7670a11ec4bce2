import type { PoolClient } from 'pg';
import { ProductCreatedV1 } from '@storefront/contracts';
import { createHarness, eventually, sampleEvent, type Harness } from './harness';

/**
 * Outbox rows published by the process that committed them (Outbox.publishAfterCommit with the
 * relay as CommittedPublisher), and the relay as the fallback at every point where that can stop.
 */
describe('publishing after commit, with the relay as the fallback (real PostgreSQL and NATS)', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await createHarness();
  });

  afterEach(async () => {
    harness.outbox.publishAfterCommit(undefined);
    await harness.close();
  });

  const outboxRows = async () =>
    (
      await harness.pool.query<{ id: string; published: boolean; relay_after: boolean }>(
        'SELECT "id", "published_at" IS NOT NULL AS "published", "relay_after" IS NOT NULL AS "relay_after" FROM "outbox" ORDER BY "position"',
      )
    ).rows;

  /** A session LISTENing to the outbox channel, and the notifications it got. */
  async function listen(): Promise<{ notifications: number; client: PoolClient }> {
    const client = await harness.pool.connect();
    const listener = { notifications: 0, client };
    client.on('notification', () => (listener.notifications += 1));
    await client.query('LISTEN outbox');
    return listener;
  }

  it('publishes a committed transaction’s events in order from the writing process, marks them, and wakes no relay', async () => {
    const listener = await listen();
    try {
      // The relay's own loop only polls once a minute: what is published comes from publishCommitted.
      const relay = harness.relay({ pollIntervalMs: 60_000, markDelayMs: 10 });
      await relay.start();
      harness.outbox.publishAfterCommit(relay);

      const events = Array.from({ length: 4 }, sampleEvent);
      await harness.transaction((tx) => harness.outbox.add(tx, ...events));

      const published = await eventually(
        () => outboxRows(),
        (rows) => rows.length === 4 && rows.every((row) => row.published),
        5_000,
      );
      expect(published).toEqual(events.map((event) => ({ id: event.id, published: true, relay_after: true })));
      const stream = harness.namespace.stream(ProductCreatedV1.stream);
      const messages = await Promise.all([1, 2, 3, 4].map((seq) => harness.jsm.streams.getMessage(stream, { seq })));
      expect(messages.map((message) => message?.header.get('Nats-Msg-Id'))).toEqual(events.map((event) => event.id));
      expect(listener.notifications).toBe(0);

      // A transaction without publishAfterCommit still wakes the relay, which publishes it.
      harness.outbox.publishAfterCommit(undefined);
      await harness.write(1);
      await eventually(
        () => Promise.resolve(listener.notifications),
        (count) => count === 1,
        3_000,
      );
    } finally {
      listener.client.release(true);
    }
  });

  it('publishes the events of transactions that commit together in one go, each transaction’s in its order', async () => {
    const relay = harness.relay({ pollIntervalMs: 60_000, markDelayMs: 10 });
    await relay.start();
    harness.outbox.publishAfterCommit(relay);

    const written = await Promise.all(Array.from({ length: 6 }, () => harness.write(3)));

    await eventually(
      () => outboxRows(),
      (rows) => rows.length === 18 && rows.every((row) => row.published),
      5_000,
    );
    const stream = harness.namespace.stream(ProductCreatedV1.stream);
    const sequences = Array.from({ length: 18 }, (_seq, index) => index + 1);
    const ids = (await Promise.all(sequences.map((seq) => harness.jsm.streams.getMessage(stream, { seq })))).map((message) =>
      message?.header.get('Nats-Msg-Id'),
    );
    expect([...ids].sort()).toEqual(written.flat().sort());
    for (const transaction of written) {
      expect(ids.filter((id) => transaction.includes(id as string))).toEqual(transaction);
    }
  });

  it('publishes and marks, when it stops, what was handed over and not yet published', async () => {
    const writer = harness.relay({ pollIntervalMs: 60_000, markDelayMs: 60_000 });
    await writer.start();
    harness.outbox.publishAfterCommit(writer);
    const [id] = await harness.write(1);
    // Handed over at the commit, to leave on the event loop's next turn; stopping sends it at once.
    await writer.stop();
    expect(await harness.streamMessages()).toBe(1);
    expect(await outboxRows()).toEqual([{ id, published: true, relay_after: true }]);
  });

  it('publishes nothing of a transaction that rolled back', async () => {
    const relay = harness.relay({ pollIntervalMs: 60_000 });
    await relay.start();
    harness.outbox.publishAfterCommit(relay);

    await harness.write(2, { rollback: true });
    const [committed] = await harness.write(1);

    await eventually(
      () => outboxRows(),
      (rows) => rows.length === 1 && rows[0]?.published === true,
      5_000,
    );
    expect((await outboxRows()).map((row) => row.id)).toEqual([committed]);
    expect(await harness.streamMessages()).toBe(1);
  });

  it('has the relay publish, once their grace is over, the events of a process that died after its commit', async () => {
    // The writer committed with relay_after set and died before publishing anything.
    harness.outbox.publishAfterCommit({ graceMs: 500, publishCommitted: () => undefined });
    const [id] = await harness.write(1);

    const relay = harness.relay();
    await expect(relay.drain()).resolves.toBe(0); // still the writer's to publish
    await new Promise((resolve) => setTimeout(resolve, 600));
    await expect(relay.drain()).resolves.toBe(1);

    expect(await outboxRows()).toEqual([{ id, published: true, relay_after: true }]);
    expect(await harness.streamMessages()).toBe(1);
  });

  it('applies an event once when the writer published it and died before marking it: the relay’s copy is dropped', async () => {
    // Marks wait a minute, so the writer is "dead" between its publish and its mark.
    const writer = harness.relay({ pollIntervalMs: 60_000, graceMs: 300, markDelayMs: 60_000 });
    await writer.start();
    harness.outbox.publishAfterCommit(writer);
    const [id] = await harness.write(1);
    await eventually(
      () => harness.streamMessages(),
      (count) => count === 1,
      3_000,
    );
    expect(await outboxRows()).toEqual([{ id, published: false, relay_after: true }]);

    await new Promise((resolve) => setTimeout(resolve, 400));
    await expect(harness.relay().drain()).resolves.toBe(1);
    await harness.consumer().start();

    expect(await harness.streamMessages()).toBe(1); // JetStream dropped the second publish (Nats-Msg-Id)
    const applied = await eventually(
      () => harness.applications(),
      (applications) => applications.get(id as string) === 1,
    );
    expect(applied).toEqual(new Map([[id, 1]]));
    await writer.stop(); // marks what it published without waiting out the delay
    expect(await outboxRows()).toEqual([{ id, published: true, relay_after: true }]);
  });

  it('leaves an event whose publish after commit failed to the relay, which publishes it after its grace', async () => {
    const refusing = {
      publish: () => Promise.reject(new Error('no ack from JetStream')),
    } as unknown as typeof harness.js;
    const logged: string[] = [];
    const writer = harness.relay({ js: refusing, pollIntervalMs: 60_000, graceMs: 300, log: (_level, message) => logged.push(message) });
    await writer.start();
    harness.outbox.publishAfterCommit(writer);
    const [id] = await harness.write(1);
    await eventually(
      () => Promise.resolve(logged),
      (messages) => messages.length > 0,
      3_000,
    );
    expect(logged).toEqual(['publishing after commit failed; the relay publishes those events']);
    expect(await harness.streamMessages()).toBe(0);

    const relay = harness.relay({ pollIntervalMs: 100 });
    await relay.start();
    await eventually(
      () => outboxRows(),
      (rows) => rows[0]?.published === true,
      5_000,
    );
    expect(await outboxRows()).toEqual([{ id, published: true, relay_after: true }]);
    expect(await harness.streamMessages()).toBe(1);
  });
});
