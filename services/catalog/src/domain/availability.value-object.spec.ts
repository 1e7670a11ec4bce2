import fc from 'fast-check';
import { Availability } from './availability.value-object';

describe('Availability', () => {
  it.each([
    [undefined, 'unknown', null],
    [0, 'out_of_stock', 0],
    [1, 'low', 1],
    [5, 'low', 5],
    [6, 'in_stock', 6],
  ] as const)('with %p units available and a low-stock threshold of 5 is %s', (available, status, units) => {
    expect(Availability.of(available, 5)).toEqual(expect.objectContaining({ status, available: units }));
  });

  it('is never low with a threshold of 0', () => {
    expect(Availability.of(1, 0).status).toBe('in_stock');
  });

  it('never gets better as units run out', () => {
    const rank = { out_of_stock: 0, low: 1, in_stock: 2, unknown: -1 };
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.nat({ max: 1_000 }), (a, b, threshold) => {
        const [fewer, more] = a <= b ? [a, b] : [b, a];
        expect(rank[Availability.of(fewer, threshold).status]).toBeLessThanOrEqual(rank[Availability.of(more, threshold).status]);
      }),
    );
  });
});
