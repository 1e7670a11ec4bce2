import { DomainError, type FieldIssue } from './domain-error';

/** A money amount that breaks a rule: not whole, negative, above the limit, or an unknown currency. */
export class InvalidMoneyError extends DomainError {
  readonly code = 'MONEY.INVALID';
  readonly kind = 'invalid';

  constructor(issue: FieldIssue) {
    super(`${issue.path} ${issue.message}`, { issues: [issue] });
  }
}

/**
 * An amount in the currency's minor unit (cents), so no arithmetic ever rounds. One class for every
 * service: a price catalog accepts, a total order computes and an amount payment authorizes obey the
 * same limit, so an order can never total more than payment takes.
 */
export class Money {
  /** The largest amount: what the services' INTEGER columns hold. */
  static readonly MAX_MINOR = 2_147_483_647;

  private constructor(
    readonly amountMinor: number,
    readonly currency: string,
  ) {}

  /** `field` names the input in the error (`price` → `price.amountMinor`). */
  static of(amountMinor: number, currency: string, field = 'amount'): Money {
    if (!Number.isSafeInteger(amountMinor) || amountMinor < 0 || amountMinor > Money.MAX_MINOR) {
      throw new InvalidMoneyError({
        path: `${field}.amountMinor`,
        message: `must be a whole number of minor units between 0 and ${Money.MAX_MINOR}, got ${amountMinor}`,
      });
    }
    if (!/^[A-Z]{3}$/.test(currency)) {
      throw new InvalidMoneyError({ path: `${field}.currency`, message: `must be an ISO 4217 code such as USD, got "${currency}"` });
    }
    return new Money(amountMinor, currency);
  }

  times(quantity: number): Money {
    return Money.of(this.amountMinor * quantity, this.currency);
  }

  plus(other: Money): Money {
    if (other.currency !== this.currency) {
      throw new InvalidMoneyError({ path: 'currency', message: `cannot add ${other.currency} to ${this.currency}` });
    }
    return Money.of(this.amountMinor + other.amountMinor, this.currency);
  }

  equals(other: Money): boolean {
    return this.amountMinor === other.amountMinor && this.currency === other.currency;
  }
}
