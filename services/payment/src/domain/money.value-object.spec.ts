import fc from 'fast-check';
import { Money } from './money.value-object';
import { InvalidAmountError } from './payment.errors';

describe('Money', () => {
  it('accepts every whole amount from zero to the maximum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Money.MAX_MINOR }), (amount) => {
        expect(Money.of(amount, 'EUR').amountMinor).toBe(amount);
      }),
    );
  });

  it('refuses negative, fractional, oversized and non-finite amounts', () => {
    const bad = fc.oneof(
      fc.integer({ max: -1 }),
      fc.integer({ min: 1 }).map((excess) => Money.MAX_MINOR + excess),
      fc.double({ noInteger: true }),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    );
    fc.assert(
      fc.property(bad, (amount) => {
        expect(() => Money.of(amount, 'USD')).toThrow(InvalidAmountError);
      }),
    );
  });

  it.each(['usd', 'US', 'USDD', '12A', ''])('refuses the currency code %p', (currency) => {
    expect(() => Money.of(100, currency)).toThrow(InvalidAmountError);
  });

  it('equals another amount only with the same currency', () => {
    expect(Money.of(100, 'USD').equals(Money.of(100, 'USD'))).toBe(true);
    expect(Money.of(100, 'USD').equals(Money.of(100, 'EUR'))).toBe(false);
  });
});
