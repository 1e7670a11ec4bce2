import { DEADLETTER_STREAM } from '@storefront/contracts';
import { OwnPostgres } from '@storefront/testing';
import { createHarness, eventually, type Harness } from './harness';

/** The consumer's database goes away for a few seconds while events wait to be applied. */
describe('a database outage under a consumer', () => {
  let postgres: OwnPostgres;
  let harness: Harness;

  beforeAll(async () => {
    postgres = await OwnPostgres.start();
    harness = await createHarness({ postgresUrl: postgres.url });
  });

  afterAll(async () => {
    await postgres?.start();
    await harness?.close();
    await postgres?.destroy();
  });

  it('dead-letters nothing: events are retried past the delivery limit and applied once after recovery', async () => {
    const ids = await harness.write(10);
    await harness.relay().drain();

    await postgres.stop();
    const consumer = harness.consumer({ maxDeliver: 2, retryDelaysMs: [100, 200, 400] });
    await consumer.start();
    // Long enough for every event to fail well beyond two deliveries.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await postgres.start();

    const applied = await eventually(
      () => harness.applications(),
      (current) => current.size === ids.length,
      30_000,
    );
    expect(ids.map((id) => applied.get(id))).toEqual(ids.map(() => 1));
    expect(await harness.streamMessages(harness.namespace.stream(DEADLETTER_STREAM))).toBe(0);
  }, 90_000);
});
