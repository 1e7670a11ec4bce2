import { z } from 'zod';
import { DEADLETTER_STREAM, defineEvent, ProductCreatedV1, ProductUpdatedV1 } from '@storefront/contracts';
import { DomainError } from '@storefront/ddd';
import { createEvent, type DeadLetterRecord } from '../src';
import { laneOfAggregate } from '../src/event-consumer';
import { APPLY_EFFECT, createHarness, eventually, sampleEvent, type Harness } from './harness';

/** A transition the domain refuses, whatever the number of tries. */
class RuleViolated extends DomainError {
  readonly code = 'TEST.RULE_VIOLATED';
  readonly kind = 'conflict';

  constructor() {
    super('downstream rule violated');
  }
}

const exactlyOnce = (ids: string[]) => (applied: Map<string, number>) =>
  applied.size === ids.length && ids.every((id) => applied.get(id) === 1);

describe('transactional outbox and idempotent consumers (real PostgreSQL and NATS)', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await createHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  it('publishes nothing for a rolled-back transaction', async () => {
    await harness.write(3, { rollback: true });
    const committed = await harness.write(1);

    await expect(harness.relay().drain()).resolves.toBe(1);

    expect(await harness.streamMessages()).toBe(1);
    const { rows } = await harness.pool.query('SELECT "id" FROM "outbox"');
    expect(rows.map((row: { id: string }) => row.id)).toEqual(committed);
  });

  it('publishes promptly after commit, woken by NOTIFY rather than the poll', async () => {
    const relay = harness.relay({ pollIntervalMs: 60_000 });
    await relay.start();
    await harness.write(1);

    await expect(
      eventually(
        () => harness.streamMessages(),
        (count) => count === 1,
        3_000,
      ),
    ).resolves.toBe(1);
  });

  it('publishes a commit whose NOTIFY it never received at its next poll', async () => {
    // Commits announce nothing, as when the listening connection was down at the moment.
    await harness.pool.query('ALTER TABLE "outbox" DISABLE TRIGGER "outbox_notify"');
    const relay = harness.relay({ pollIntervalMs: 500 });
    await relay.start();
    await harness.write(2);

    await expect(
      eventually(
        () => harness.streamMessages(),
        (count) => count === 2,
        5_000,
      ),
    ).resolves.toBe(2);
  });

  it('stops at once, even when asked while a batch is being published', async () => {
    await harness.write(1);
    let publishing: () => void = () => undefined;
    const inBatch = new Promise<void>((resolve) => (publishing = resolve));
    const relay = harness.relay({
      pollIntervalMs: 60_000,
      afterPublish: async () => {
        publishing();
        await new Promise((resolve) => setTimeout(resolve, 300));
      },
    });
    await relay.start();
    await inBatch;

    const started = Date.now();
    await relay.stop();

    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await harness.streamMessages()).toBe(1);
  });

  it('lets JetStream drop the duplicate when the relay dies after publishing, before marking sent', async () => {
    const [id] = await harness.write(1);
    const crashing = harness.relay({
      afterPublish: () => Promise.reject(new Error('relay killed between publish and update')),
    });
    await expect(crashing.publishBatch()).rejects.toThrow('relay killed');
    const { rows } = await harness.pool.query('SELECT "published_at" FROM "outbox"');
    expect(rows[0]).toEqual({ published_at: null });

    await expect(harness.relay().drain()).resolves.toBe(1);
    await harness.consumer().start();

    expect(await harness.streamMessages()).toBe(1);
    const applied = await eventually(() => harness.applications(), exactlyOnce([id as string]));
    expect(applied.get(id as string)).toBe(1);
  });

  it('keeps a row whose publish failed unpublished, with its attempt and error, and marks the rest of its batch sent', async () => {
    const ids = await harness.write(3);
    const failing = ids[1] as string;
    const sent: string[] = [];
    const js = {
      publish: (subject: string, body: string, options: { msgID: string }) => {
        sent.push(options.msgID);
        return options.msgID === failing ? Promise.reject(new Error('no ack from JetStream')) : harness.js.publish(subject, body, options);
      },
    } as unknown as typeof harness.js;

    await expect(harness.relay({ js }).publishBatch()).rejects.toThrow('no ack from JetStream');

    expect(sent).toEqual(ids); // in commit order
    const { rows } = await harness.pool.query<{ id: string; published: boolean; attempts: number; last_error: string | null }>(
      'SELECT "id", "published_at" IS NOT NULL AS "published", "attempts", "last_error" FROM "outbox" ORDER BY "position"',
    );
    expect(rows).toEqual([
      { id: ids[0], published: true, attempts: 0, last_error: null },
      { id: failing, published: false, attempts: 1, last_error: 'no ack from JetStream' },
      { id: ids[2], published: true, attempts: 0, last_error: null },
    ]);
    await expect(harness.relay().drain()).resolves.toBe(1);
    expect(await harness.streamMessages()).toBe(3);
  });

  it('marks the pending index entries of published rows dead as it claims, so later claims skip them', async () => {
    // Rows published before, in no particular order (as the marks of a busy outbox leave them until
    // a vacuum), and statistics taken when a few were still unpublished: the planner's favourite for
    // the claim was then a bitmap scan and a sort, which never marks index entries dead, so every
    // claim visited every published row again.
    await harness.write(1_000);
    await harness.pool.query(`DO $$ DECLARE p bigint; BEGIN
      FOR p IN SELECT "position" FROM "outbox" ORDER BY random() LIMIT 940 LOOP
        UPDATE "outbox" SET "published_at" = now() WHERE "position" = p;
      END LOOP; END $$`);
    await harness.pool.query('ANALYZE "outbox"');
    await harness.pool.query('UPDATE "outbox" SET "published_at" = now() WHERE "published_at" IS NULL');
    await harness.write(1);
    const relay = harness.relay();
    await expect(relay.publishBatch()).resolves.toBe(1);

    // Index entries a claim would still visit: a bitmap index scan skips the entries marked dead and
    // marks none itself, so counting them this way changes nothing. An entry can be marked once its
    // row is dead to every transaction; another claim comes along soon enough.
    const liveEntries = async () => {
      const client = await harness.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL enable_indexscan TO off; SET LOCAL enable_seqscan TO off');
        const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: Record<string, unknown> }] }>(
          'EXPLAIN (ANALYZE, FORMAT JSON) SELECT "position" FROM "outbox" WHERE "published_at" IS NULL',
        );
        const plans = JSON.stringify(rows[0]?.['QUERY PLAN']);
        return Number(/"Node Type":"Bitmap Index Scan"[^}]*?"Actual Rows":(\d+)/.exec(plans)?.[1] ?? Number.NaN);
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    };
    let entries = await liveEntries();
    for (let claim = 0; claim < 20 && !(entries < 100); claim += 1) {
      await expect(relay.publishBatch()).resolves.toBe(0);
      entries = await liveEntries();
      if (!(entries < 100)) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // 1,001 before the change, however many claims.
    expect(entries).toBeLessThan(100);
  });

  it('applies an event once when the consumer dies after its transaction, before acking', async () => {
    const ids = await harness.write(3);
    await harness.relay().drain();
    const victim = ids[1] as string;
    let crashed = false;
    const first = harness.consumer({
      beforeAck: (event) => {
        if (event.id !== victim || crashed) return Promise.resolve('ack');
        crashed = true;
        return Promise.resolve('crash');
      },
    });
    await first.start();
    await eventually(
      () => harness.applications(),
      (applied) => applied.size === 3,
    );
    await first.stop();

    // A new process takes over the durable consumer; JetStream redelivers after AckWait.
    const second = harness.consumer();
    await second.start();

    await eventually(
      () => second.lag(),
      (lag) => lag === 0,
      10_000,
    );
    expect(crashed).toBe(true);
    const applied = await harness.applications();
    expect(ids.map((id) => applied.get(id))).toEqual([1, 1, 1]);
    const inbox = await harness.pool.query('SELECT count(*)::int AS "count" FROM "inbox"');
    expect(inbox.rows[0]).toEqual({ count: 3 });
  });

  it('moves a message the domain refuses every time to the dead-letter stream after MaxDeliver refusals, never acking it as done', async () => {
    const [id] = await harness.write(1);
    await harness.relay().drain();
    let attempts = 0;
    const consumer = harness.consumer({
      maxDeliver: 3,
      handlers: [
        {
          definition: ProductCreatedV1,
          handle: () => {
            attempts += 1;
            return Promise.reject(new RuleViolated());
          },
        },
      ],
    });
    await consumer.start();

    const deadLetterStream = harness.namespace.stream(DEADLETTER_STREAM);
    await eventually(
      () => harness.streamMessages(deadLetterStream),
      (count) => count === 1,
      10_000,
    );
    expect(attempts).toBe(3);
    const stored = await harness.jsm.streams.getMessage(deadLetterStream, { seq: 1 });
    const record = stored?.json<DeadLetterRecord>();
    expect(record).toMatchObject({
      consumer: 'test-effects',
      service: 'test',
      subject: ProductCreatedV1.subject,
      deliveries: 3,
      reason: 'refused',
      refusals: 3,
      eventId: id,
      error: { name: 'RuleViolated', code: 'TEST.RULE_VIOLATED', message: 'downstream rule violated' },
    });
    expect(JSON.parse(record?.data ?? '{}')).toMatchObject({ id });
    await eventually(
      () => consumer.lag(),
      (lag) => lag === 0,
    );
    expect((await harness.applications()).size).toBe(0);
  });

  it('applies waiting messages in one transaction per group, in stream order, each exactly once', async () => {
    const ids = await harness.write(40);
    await harness.relay().drain();
    const order: string[] = [];
    let transactions = 0;
    const consumer = harness.consumer({
      transaction: (work) => {
        transactions += 1;
        return harness.transaction(work);
      },
      handlers: [
        {
          definition: ProductCreatedV1,
          handle: async (event, tx) => {
            order.push(event.id);
            await tx.$executeRawUnsafe(APPLY_EFFECT, event.id);
          },
        },
      ],
    });
    await consumer.start();

    await eventually(() => harness.applications(), exactlyOnce(ids));
    expect(order).toEqual(ids);
    // 40 messages waiting: groups of up to 16, far fewer transactions than messages.
    expect(transactions).toBeLessThan(20);
    await eventually(
      () => consumer.lag(),
      (lag) => lag === 0,
    );
  });

  /** A type of the consumers' stream none of them has a handler for (NATS 2.9 delivers it to them all the same). */
  const Noise = defineEvent({
    stream: ProductCreatedV1.stream,
    subject: 'catalog.test-noise.v1',
    producer: 'test',
    description: 'noise',
    payload: z.object({}),
  });

  it('does not let messages of types it skips split its groups (NATS 2.9 delivers the whole stream)', async () => {
    // A type of the same stream the consumer has no handler for, between every two it handles.
    const events = Array.from({ length: 24 }, () => sampleEvent());
    const interleaved = events.flatMap((event) => [
      event,
      createEvent(Noise, { source: 'test', aggregateId: event.aggregateId, payload: {} }),
    ]);
    await harness.transaction((tx) => harness.outbox.add(tx, ...interleaved));
    await harness.relay().drain();
    let transactions = 0;
    const consumer = harness.consumer({
      transaction: (work) => {
        transactions += 1;
        return harness.transaction(work);
      },
      handlers: [ProductCreatedV1, ProductUpdatedV1].map((definition) => ({
        definition,
        handle: async (event, tx) => {
          await tx.$executeRawUnsafe(APPLY_EFFECT, event.id);
        },
      })),
    });
    await consumer.start();

    await eventually(() => harness.applications(), exactlyOnce(events.map((event) => event.id)));
    await eventually(
      () => consumer.lag(),
      (lag) => lag === 0,
    );
    // 24 handled messages in groups of up to 16, not one transaction each.
    expect(transactions).toBeLessThan(8);
  });

  it('acknowledges the messages it skips when none of its own come after them', async () => {
    // On NATS 2.9 a skipped message's ack waits for the consumer's next ack of its own, or a short
    // timer: with nothing of its own in the stream, the timer sends them.
    const noise = Array.from({ length: 5 }, () => createEvent(Noise, { source: 'test', aggregateId: 'noise', payload: {} }));
    await harness.transaction((tx) => harness.outbox.add(tx, ...noise));
    await harness.relay().drain();
    const consumer = harness.consumer({
      handlers: [ProductCreatedV1, ProductUpdatedV1].map((definition) => ({ definition, handle: () => Promise.resolve() })),
    });
    await consumer.start();

    await eventually(
      () => consumer.lag(),
      (lag) => lag === 0,
    );
    expect((await harness.applications()).size).toBe(0);
  });

  it('keeps each aggregate’s events in stream order when lanes apply different aggregates side by side', async () => {
    const aggregates = ['a-1', 'a-2', 'a-3', 'a-4', 'a-5'];
    const events = Array.from({ length: 60 }, (_, index) => ({
      ...sampleEvent(),
      aggregateId: aggregates[index % aggregates.length] as string,
    }));
    await harness.transaction((tx) => harness.outbox.add(tx, ...events));
    await harness.relay().drain();
    const seen = new Map<string, string[]>();
    const consumer = harness.consumer({
      lanes: 3,
      handlers: [
        {
          definition: ProductCreatedV1,
          handle: async (event, tx) => {
            seen.set(event.aggregateId, [...(seen.get(event.aggregateId) ?? []), event.id]);
            await tx.$executeRawUnsafe(APPLY_EFFECT, event.id);
          },
        },
      ],
    });
    await consumer.start();

    await eventually(() => harness.applications(), exactlyOnce(events.map((event) => event.id)));
    for (const aggregate of aggregates) {
      expect(seen.get(aggregate)).toEqual(events.filter((event) => event.aggregateId === aggregate).map((event) => event.id));
    }
  });

  it('pulls again while a lane is still busy: one slow aggregate does not hold back the other lanes', async () => {
    const inLane = (lane: number) =>
      Array.from({ length: 200 }, (_, index) => `aggregate-${index}`).filter((id) => laneOfAggregate(id, 2) === lane);
    const slow = inLane(0)[0] as string;
    const events = [slow, ...inLane(1).slice(0, 12)].map((aggregateId) => ({ ...sampleEvent(), aggregateId }));
    await harness.transaction((tx) => harness.outbox.add(tx, ...events));
    await harness.relay().drain();
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const appliedBeside: string[] = [];
    const consumer = harness.consumer({
      lanes: 2,
      batchSize: 4,
      handlers: [
        {
          definition: ProductCreatedV1,
          handle: async (event, tx) => {
            if (event.aggregateId === slow) await released;
            else appliedBeside.push(event.id);
            await tx.$executeRawUnsafe(APPLY_EFFECT, event.id);
          },
        },
      ],
    });
    await consumer.start();

    // Twelve events of the other lane are three pulls of four: all applied while the first waits.
    await expect(
      eventually(
        () => Promise.resolve(appliedBeside.length),
        (count) => count === 12,
        10_000,
      ),
    ).resolves.toBe(12);
    release();
    await eventually(() => harness.applications(), exactlyOnce(events.map((event) => event.id)));
  });

  it('handles a group one message at a time when one of them is refused: the others are applied once, the refused one dead-lettered', async () => {
    const ids = await harness.write(10);
    const refused = ids[4] as string;
    await harness.relay().drain();
    const consumer = harness.consumer({
      maxDeliver: 2,
      handlers: [
        {
          definition: ProductCreatedV1,
          handle: async (event, tx) => {
            if (event.id === refused) throw new RuleViolated();
            await tx.$executeRawUnsafe(APPLY_EFFECT, event.id);
          },
        },
      ],
    });
    await consumer.start();

    await eventually(() => harness.applications(), exactlyOnce(ids.filter((id) => id !== refused)));
    await eventually(
      () => harness.streamMessages(harness.namespace.stream(DEADLETTER_STREAM)),
      (count) => count === 1,
    );
    await eventually(
      () => consumer.lag(),
      (lag) => lag === 0,
    );
    expect((await harness.applications()).has(refused)).toBe(false);
  });

  it('does not apply again an event of a group that is in the inbox already', async () => {
    const ids = await harness.write(8);
    await harness.relay().drain();
    // As if a first run applied the third event and died before its ack.
    await harness.pool.query('INSERT INTO "inbox" ("consumer", "event_id", "subject") VALUES ($1, $2::uuid, $3)', [
      'test-effects',
      ids[2],
      ProductCreatedV1.subject,
    ]);
    const consumer = harness.consumer();
    await consumer.start();

    await eventually(() => harness.applications(), exactlyOnce(ids.filter((id) => id !== ids[2])));
    await eventually(
      () => consumer.lag(),
      (lag) => lag === 0,
    );
    expect((await harness.applications()).has(ids[2] as string)).toBe(false);
  });

  it('never dead-letters a message whose handler fails unexpectedly: it is retried until the handler succeeds', async () => {
    const [id] = await harness.write(1);
    await harness.relay().drain();
    let attempts = 0;
    const consumer = harness.consumer({
      maxDeliver: 2,
      handlers: [
        {
          definition: ProductCreatedV1,
          handle: async (event, tx) => {
            attempts += 1;
            if (attempts <= 5) throw new TypeError('a bug, fixed by the sixth attempt');
            await tx.$executeRawUnsafe(APPLY_EFFECT, event.id);
          },
        },
      ],
    });
    await consumer.start();

    const applied = await eventually(
      () => harness.applications(),
      (current) => current.get(id as string) === 1,
      10_000,
    );
    expect(applied.get(id as string)).toBe(1);
    expect(attempts).toBe(6);
    expect(await harness.streamMessages(harness.namespace.stream(DEADLETTER_STREAM))).toBe(0);
  });

  it('publishes every event once when two relays share one outbox', async () => {
    const ids = await harness.write(300);
    const publishedBy: string[][] = [[], []];
    const relays = [0, 1].map((index) =>
      harness.relay({
        batchSize: 20,
        afterPublish: (published) => {
          publishedBy[index]?.push(...published);
          return Promise.resolve();
        },
      }),
    );
    await Promise.all(relays.map((relay) => relay.start()));

    await eventually(
      () => harness.pool.query('SELECT count(*)::int AS "count" FROM "outbox" WHERE "published_at" IS NULL'),
      (result) => (result.rows[0] as { count: number }).count === 0,
    );

    const all = [...(publishedBy[0] ?? []), ...(publishedBy[1] ?? [])];
    expect(all).toHaveLength(ids.length);
    expect(new Set(all).size).toBe(ids.length);
    expect(await harness.streamMessages()).toBe(ids.length);
  });
});
