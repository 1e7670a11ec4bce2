import { ProductCreatedV1 } from '@storefront/contracts';
import { replayHistory } from '../src';
import { createHarness, type Harness } from './harness';

describe('replayHistory', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await createHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  it('hands every stored event to apply, in order, up to the end of the stream when it began', async () => {
    const ids = await harness.write(25);
    await harness.relay().drain();
    const seen: string[] = [];

    const first = await replayHistory({
      js: harness.js,
      jsm: harness.jsm,
      namespace: harness.namespace,
      definitions: [ProductCreatedV1],
      apply: (_definition, event) => {
        seen.push(event.id);
        return Promise.resolve();
      },
    });

    expect(seen).toEqual(ids);
    expect(first).toEqual({ applied: 25, lastSequences: { CATALOG: 25 } });

    const later = await harness.write(3);
    await harness.relay().drain();
    const tail: string[] = [];
    const second = await replayHistory({
      js: harness.js,
      jsm: harness.jsm,
      namespace: harness.namespace,
      definitions: [ProductCreatedV1],
      after: first.lastSequences,
      apply: (_definition, event) => {
        tail.push(event.id);
        return Promise.resolve();
      },
    });
    expect(tail).toEqual(later);
    expect(second.lastSequences).toEqual({ CATALOG: 28 });
  });
});
