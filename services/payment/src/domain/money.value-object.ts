import { InvalidAmountError } from './payment.errors';

/** An amount in the currency's minor unit, so no arithmetic ever rounds. */
export class Money {
  /** The largest amount the INTEGER columns hold. */
  static readonly MAX_MINOR = 2_147_483_647;

  private constructor(
    readonly amountMinor: number,
    readonly currency: string,
  ) {}

  static of(amountMinor: number, currency: string): Money {
    if (!Number.isSafeInteger(amountMinor) || amountMinor < 0 || amountMinor > Money.MAX_MINOR) {
      throw new InvalidAmountError(`must be a whole number of minor units between 0 and ${Money.MAX_MINOR}, got ${amountMinor}`);
    }
    if (!/^[A-Z]{3}$/.test(currency)) {
      throw new InvalidAmountError(`currency must be an ISO 4217 code such as USD, got "${currency}"`);
    }
    return new Money(amountMinor, currency);
  }

  equals(other: Money): boolean {
    return this.amountMinor === other.amountMinor && this.currency === other.currency;
  }
}
