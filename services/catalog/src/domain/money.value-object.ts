import { InvalidProductError } from './catalog.errors';

/** Prices are integers in the currency's minor unit, so no arithmetic ever rounds. */
export class Money {
  static readonly MAX_MINOR = 1_000_000_000;

  private constructor(
    readonly amountMinor: number,
    readonly currency: string,
  ) {}

  static of(amountMinor: number, currency: string): Money {
    if (!Number.isSafeInteger(amountMinor) || amountMinor < 0 || amountMinor > Money.MAX_MINOR) {
      throw new InvalidProductError({
        path: 'price.amountMinor',
        message: `must be a whole number of minor units between 0 and ${Money.MAX_MINOR}`,
      });
    }
    if (!/^[A-Z]{3}$/.test(currency)) {
      throw new InvalidProductError({ path: 'price.currency', message: 'must be an ISO 4217 code such as USD' });
    }
    return new Money(amountMinor, currency);
  }

  equals(other: Money): boolean {
    return this.amountMinor === other.amountMinor && this.currency === other.currency;
  }
}
