import fc from 'fast-check';
import { ProductCreatedV1 } from '@storefront/contracts';
import { APPLY_EFFECT, createHarness, eventually } from './harness';

const step = fc.oneof(
  fc.record({ kind: fc.constant('write' as const), count: fc.integer({ min: 1, max: 4 }), commit: fc.boolean() }),
  fc.record({ kind: fc.constant('relay' as const), crashAfterPublish: fc.boolean() }),
);

/**
 * Whatever the interleaving of commits, rollbacks, relay crashes between publish and mark, consumer
 * crashes before ack and failing handlers, every committed event is applied exactly once and no
 * rolled-back one ever is.
 */
describe('exactly-once effects (property)', () => {
  it('holds for random interleavings of writes, relay crashes and redeliveries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 3, maxLength: 14 }),
        fc.func(fc.constantFrom<'ack' | 'crash'>('ack', 'ack', 'crash')),
        fc.func(fc.boolean()),
        async (steps, crashBeforeAck, failFirstAttempt) => {
          const harness = await createHarness();
          try {
            const committed: string[] = [];
            const rolledBack: string[] = [];
            const crashed = new Set<string>();
            const failed = new Set<string>();
            const consumer = harness.consumer({
              ackWaitMs: 700,
              retryDelaysMs: [30],
              handlers: [
                {
                  definition: ProductCreatedV1,
                  handle: async (event, tx) => {
                    if (!failed.has(event.id) && failFirstAttempt(event.id)) {
                      failed.add(event.id);
                      throw new Error('transient failure');
                    }
                    await tx.$executeRawUnsafe(APPLY_EFFECT, event.id);
                  },
                },
              ],
              beforeAck: (event) => {
                if (crashed.has(event.id) || crashBeforeAck(event.id) === 'ack') return Promise.resolve('ack');
                crashed.add(event.id);
                return Promise.resolve('crash');
              },
            });
            await consumer.start();

            for (const action of steps) {
              if (action.kind === 'write') {
                const ids = await harness.write(action.count, { rollback: !action.commit });
                (action.commit ? committed : rolledBack).push(...ids);
              } else {
                const relay = harness.relay(
                  action.crashAfterPublish ? { afterPublish: () => Promise.reject(new Error('relay crash')) } : {},
                );
                await relay.publishBatch().catch(() => undefined);
              }
            }
            await harness.relay().drain();
            // Every message acknowledged: crashed ones were redelivered and met the inbox.
            await eventually(
              () => consumer.lag(),
              (lag) => lag === 0,
              20_000,
            );

            const applied = await eventually(
              () => harness.applications(),
              (current) => committed.every((id) => current.get(id) === 1),
              20_000,
            );
            expect(committed.map((id) => applied.get(id))).toEqual(committed.map(() => 1));
            expect(rolledBack.filter((id) => applied.has(id))).toEqual([]);
            expect(applied.size).toBe(committed.length);
          } finally {
            await harness.close();
          }
        },
      ),
      { numRuns: 6, endOnFailure: true },
    );
  }, 180_000);
});
