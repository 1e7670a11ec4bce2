import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ProductCreatedV1 } from '@storefront/contracts';
import { DomainError } from '@storefront/ddd';
import { DeadLetterNotFoundError, DeadLetters, type EventConsumer } from '../src';
import { APPLY_EFFECT, createHarness, eventually, NATS_URL, type Harness } from './harness';

const CLI = join(__dirname, '..', 'dist', 'cli', 'dlq.js');

class NotAllowedYet extends DomainError {
  readonly code = 'TEST.NOT_ALLOWED';
  readonly kind = 'conflict';

  constructor() {
    super('products are not allowed yet');
  }
}

/** Two consumers of one subject; the first refuses events until a rule allows them. */
describe('dead letters you can work with (real NATS and PostgreSQL, `pnpm dlq`)', () => {
  let harness: Harness;
  let refusing: EventConsumer;
  let deadLetters: DeadLetters;
  const dlq = async (...args: string[]) => {
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, ...args, '--namespace', harness.namespace.prefix], {
      env: { ...process.env, NATS_URL },
    });
    return stdout;
  };
  const audited = async () =>
    new Map(
      (await harness.pool.query<{ event_id: string; n: number }>('SELECT "event_id", "n" FROM "audit"')).rows.map((row) => [
        row.event_id,
        row.n,
      ]),
    );

  beforeAll(async () => {
    harness = await createHarness();
    await harness.pool.query('CREATE TABLE "rules" ("allowed" BOOLEAN NOT NULL); INSERT INTO "rules" VALUES (false)');
    await harness.pool.query('CREATE TABLE "audit" ("event_id" UUID PRIMARY KEY, "n" INTEGER NOT NULL)');
    refusing = harness.consumer({
      maxDeliver: 2,
      handlers: [
        {
          definition: ProductCreatedV1,
          handle: async (event, tx) => {
            if ((await tx.$executeRawUnsafe('SELECT 1 FROM "rules" WHERE "allowed"')) === 0) throw new NotAllowedYet();
            await tx.$executeRawUnsafe(APPLY_EFFECT, event.id);
          },
        },
      ],
    });
    const auditing = harness.consumer({
      durable: 'test-audit',
      handlers: [
        {
          definition: ProductCreatedV1,
          handle: async (event, tx) => {
            await tx.$executeRawUnsafe(
              'INSERT INTO "audit" VALUES ($1::uuid, 1) ON CONFLICT ("event_id") DO UPDATE SET "n" = "audit"."n" + 1',
              event.id,
            );
          },
        },
      ],
    });
    await Promise.all([refusing.start(), auditing.start()]);
    deadLetters = new DeadLetters({ js: harness.js, jsm: harness.jsm, namespace: harness.namespace });
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('lists, shows, replays (applied once, by that consumer only) and discards real dead letters', async () => {
    const [replayed, discarded] = await harness.write(2);
    await harness.relay().drain();
    await eventually(
      () => deadLetters.counts(),
      (counts) => counts.get('test/test-effects') === 2,
      15_000,
    );
    await eventually(audited, (audit) => audit.size === 2);

    const listed = await dlq('list', '--service', 'test');
    expect(listed).toContain('test/test-effects');
    expect(listed).toContain(ProductCreatedV1.subject);
    expect(listed).toContain('TEST.NOT_ALLOWED: products are not allowed yet');
    expect(listed).toContain('2 dead letters');
    const letters = await deadLetters.list({ service: 'test' });
    const byEvent = new Map(letters.map((letter) => [letter.eventId, letter]));
    const toReplay = byEvent.get(replayed) as (typeof letters)[number];
    const toDiscard = byEvent.get(discarded) as (typeof letters)[number];
    expect(toReplay).toMatchObject({ consumer: 'test-effects', reason: 'refused', refusals: 2, error: { code: 'TEST.NOT_ALLOWED' } });

    const shown = await dlq('show', String(toReplay.id));
    expect(shown).toContain(`"eventId": "${replayed}"`);
    expect(shown).toContain('payload:');
    expect(shown).toContain('"sku"');

    // The cause is fixed; the dead letter goes back to the consumer that gave up on it.
    await harness.pool.query('UPDATE "rules" SET "allowed" = true');
    expect(await dlq('replay', String(toReplay.id))).toContain(`replayed ${toReplay.id}: ${ProductCreatedV1.subject} for test-effects`);
    await eventually(
      () => harness.applications(),
      (applied) => applied.get(replayed as string) === 1,
      10_000,
    );
    await eventually(
      () => refusing.lag(),
      (lag) => lag === 0,
    );
    await expect(deadLetters.replay(toReplay.id)).rejects.toBeInstanceOf(DeadLetterNotFoundError);

    expect(await dlq('discard', String(toDiscard.id))).toContain(`discarded ${toDiscard.id}`);
    expect(await dlq('list')).toContain('no dead letters');
    expect(await deadLetters.counts()).toEqual(new Map());

    const applied = await harness.applications();
    expect(applied.get(replayed as string)).toBe(1);
    expect(applied.has(discarded as string)).toBe(false);
    // The other consumer saw the replay on the subject and left it alone.
    expect(await audited()).toEqual(
      new Map([
        [replayed, 1],
        [discarded, 1],
      ]),
    );
  }, 60_000);
});
