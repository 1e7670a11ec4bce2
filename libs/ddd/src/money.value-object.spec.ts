import fc from 'fast-check';
import { InvalidMoneyError, Money } from './money.value-object';

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
        expect(() => Money.of(amount, 'USD')).toThrow(InvalidMoneyError);
      }),
    );
  });

  it.each(['usd', 'US', 'USDD', '12A', ''])('refuses the currency code %p', (currency) => {
    expect(() => Money.of(100, currency)).toThrow(InvalidMoneyError);
  });

  it('equals another amount only with the same currency', () => {
    expect(Money.of(100, 'USD').equals(Money.of(100, 'USD'))).toBe(true);
    expect(Money.of(100, 'USD').equals(Money.of(100, 'EUR'))).toBe(false);
  });

  it('names the field it checks', () => {
    const error = (() => {
      try {
        Money.of(-1, 'USD', 'price');
      } catch (thrown) {
        return thrown as InvalidMoneyError;
      }
    })();
    expect(error?.issues.map((issue) => issue.path)).toEqual(['price.amountMinor']);
  });

  it('keeps a sum or product within the limit payment accepts', () => {
    expect(() => Money.of(Money.MAX_MINOR, 'USD').plus(Money.of(1, 'USD'))).toThrow(InvalidMoneyError);
    expect(() => Money.of(Money.MAX_MINOR, 'USD').times(2)).toThrow(InvalidMoneyError);
    expect(Money.of(3, 'USD').times(4).plus(Money.of(1, 'USD')).amountMinor).toBe(13);
  });

  it('refuses to add different currencies', () => {
    expect(() => Money.of(1, 'USD').plus(Money.of(1, 'EUR'))).toThrow(InvalidMoneyError);
  });
});
