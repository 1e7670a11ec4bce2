import { ProductCreatedV1, STREAMS } from '@storefront/contracts';
import { ensureStreams, inboxHorizon, messagingMetrics, RetentionSweeper, type ConsumerHealth } from '../src';
import { APPLY_EFFECT, createHarness, eventually, type Harness } from './harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const redeliveries = async (consumer: string) =>
  (await messagingMetrics.redelivered.get()).values
    .filter((value) => value.labels.consumer === consumer)
    .reduce((sum, value) => sum + value.value, 0);
const inboxIds = async (harness: Harness) =>
  new Set((await harness.pool.query<{ event_id: string }>('SELECT "event_id" FROM "inbox"')).rows.map((row) => row.event_id));

describe('an event consumer over time (real PostgreSQL and NATS)', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await createHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  it('keeps slow work and the messages queued behind it from being redelivered', async () => {
    const ids = await harness.write(6);
    await harness.relay().drain();
    const durable = 'slow-effects';
    const consumer = harness.consumer({
      durable,
      ackWaitMs: 1_000,
      handlers: [
        {
          definition: ProductCreatedV1,
          handle: async (event, tx) => {
            // The first takes longer than the ack wait, and together they take five of them.
            await sleep(event.id === ids[0] ? 1_500 : 700);
            await tx.$executeRawUnsafe(APPLY_EFFECT, event.id);
          },
        },
      ],
    });
    await consumer.start();

    await eventually(
      () => harness.applications(),
      (applied) => applied.size === ids.length,
      20_000,
    );
    await eventually(
      () => consumer.lag(),
      (lag) => lag === 0,
    );
    expect(await redeliveries(durable)).toBe(0);
    expect([...(await harness.applications()).values()]).toEqual(ids.map(() => 1));
  }, 30_000);

  it('re-creates its stream and consumer when JetStream lost them, reporting it meanwhile', async () => {
    const relay = harness.relay({
      onMissingStream: () => ensureStreams(harness.jsm, harness.namespace, STREAMS, { duplicateWindowMs: 120_000, maxAgeMs: 3_600_000 }),
    });
    await relay.start();
    const consumer = harness.consumer({ streamSettings: { duplicateWindowMs: 120_000, maxAgeMs: 3_600_000 } });
    await consumer.start();
    const before = await harness.write(2);
    await eventually(
      () => harness.applications(),
      (applied) => applied.size === 2,
    );
    expect(consumer.health().state).toBe('consuming');

    const states = new Set<ConsumerHealth['state']>();
    const watching = setInterval(() => states.add(consumer.health().state), 20);
    try {
      await harness.jsm.streams.delete(harness.namespace.stream(ProductCreatedV1.stream));
      await eventually(
        () => Promise.resolve(states),
        (seen) => seen.has('recovering'),
        30_000,
      );
      const after = await harness.write(3);

      const applied = await eventually(
        () => harness.applications(),
        (current) => current.size === 5,
        30_000,
      );
      expect([...before, ...after].map((id) => applied.get(id))).toEqual([1, 1, 1, 1, 1]);
      expect(consumer.health().state).toBe('consuming');
    } finally {
      clearInterval(watching);
    }
  }, 60_000);

  it('prunes outbox and inbox rows past their retention, keeps the rows of events that may come again, and a re-created consumer starts after the pruned ones', async () => {
    const settings = { outboxMs: 1_000, inboxMs: 1_000, intervalMs: 60_000, batchSize: 2, clockSkewMarginMs: 0 };
    const first = await harness.write(3);
    await harness.relay().drain();
    const unacknowledged = new Set<string>();
    const crashing = harness.consumer({
      ackWaitMs: 60_000,
      beforeAck: (event) => Promise.resolve(unacknowledged.has(event.id) ? 'crash' : 'ack'),
    });
    await crashing.start();
    await eventually(
      () => harness.applications(),
      (applied) => applied.size === 3,
    );
    await sleep(1_200);
    const [pending, last] = (await harness.write(2)) as [string, string];
    unacknowledged.add(pending);
    await harness.relay().drain();
    await eventually(
      () => harness.applications(),
      (applied) => applied.size === 5,
    );
    const unpublished = await harness.write(1); // committed, never published: stays
    await sleep(1_200);

    const sweeper = new RetentionSweeper({ pool: harness.pool, jsm: harness.jsm, consumers: () => [crashing], settings });
    const pruned = await sweeper.sweep();

    // The three acknowledged events are forgotten; the one that may be redelivered and the one after it are not.
    expect(pruned.inbox).toBe(3);
    expect(await inboxIds(harness)).toEqual(new Set([pending, last]));
    expect(pruned.outbox).toBe(5);
    const { rows } = await harness.pool.query<{ id: string }>('SELECT "id" FROM "outbox"');
    expect(rows.map((row) => row.id)).toEqual(unpublished);

    // JetStream loses the consumer; the new one must not apply the pruned events a second time.
    await crashing.stop();
    await harness.jsm.consumers.delete(harness.namespace.stream(ProductCreatedV1.stream), 'test-effects');
    const again = harness.consumer({ startAfter: () => inboxHorizon(harness.pool, 'test-effects', 0) });
    await again.start();
    await eventually(
      () => again.lag(),
      (lag) => lag === 0,
      10_000,
    );
    const applied = await harness.applications();
    expect([...first, pending, last].map((id) => applied.get(id))).toEqual([1, 1, 1, 1, 1]);
    // The next start of a process updates that consumer's settings as usual.
    await again.stop();
    await expect(harness.consumer({ ackWaitMs: 2_000 }).start()).resolves.toBeUndefined();
  }, 60_000);
});
