import fc from 'fast-check';
import { InvalidQuantityError } from './inventory.errors';
import { ReservationLines, type ReservationLine } from './reservation-lines.value-object';

const sku = fc.constantFrom('AUD-0001', 'AUD-0002', 'BOK-0001', 'KIT-0003', 'OUT-0006');
const line = fc.record({ sku, quantity: fc.integer({ min: 1, max: 1_000 }) });

function totals(lines: readonly ReservationLine[]): Map<string, number> {
  const result = new Map<string, number>();
  for (const { sku: key, quantity } of lines) result.set(key, (result.get(key) ?? 0) + quantity);
  return result;
}

describe('ReservationLines', () => {
  it('keeps one line per SKU, in SKU order, and every unit asked for', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), (input) => {
        const { items, skus } = ReservationLines.of(input);
        expect(skus).toEqual([...new Set(input.map((item) => item.sku))].sort());
        expect(totals(items)).toEqual(totals(input));
      }),
    );
  });

  it('refuses an order without lines', () => {
    expect(() => ReservationLines.of([])).toThrow(InvalidQuantityError);
  });

  it('refuses quantities that are not whole numbers of at least one', () => {
    const bad = fc.oneof(
      fc.integer({ max: 0 }),
      fc.double({ noInteger: true }),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 2),
    );
    fc.assert(
      fc.property(bad, (quantity) => {
        expect(() => ReservationLines.of([{ sku: 'AUD-0001', quantity }])).toThrow(InvalidQuantityError);
      }),
    );
  });
});
