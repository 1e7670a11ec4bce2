import { InvalidOrderError } from './order.errors';

/** Integer minor units, so totals never round. */
export class Money {
  private constructor(
    readonly amountMinor: number,
    readonly currency: string,
  ) {}

  static of(amountMinor: number, currency: string): Money {
    if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) {
      throw new InvalidOrderError(`amount must be a whole, non-negative number of minor units`, 'amount');
    }
    return new Money(amountMinor, currency);
  }

  times(quantity: number): Money {
    return Money.of(this.amountMinor * quantity, this.currency);
  }

  plus(other: Money): Money {
    if (other.currency !== this.currency) {
      throw new InvalidOrderError(`cannot add ${other.currency} to ${this.currency}`, 'currency');
    }
    return Money.of(this.amountMinor + other.amountMinor, this.currency);
  }
}
