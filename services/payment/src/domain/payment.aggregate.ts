import { AggregateRoot, type Money } from '@storefront/ddd';
import type { PaymentDomainEvent } from './payment.domain-event';
import { InvalidPaymentTransitionError } from './payment.errors';

export type PaymentStatus = 'pending' | 'authorized' | 'captured' | 'voided' | 'failed';

/** What the provider answered to an authorization. */
export type AuthorizationOutcome = { readonly approved: true } | { readonly approved: false; readonly message: string };

/** How much of a payment token is kept: enough to tell cards apart in support, never the token. */
const TOKEN_CHARACTERS_KEPT = 4;

export interface PaymentState {
  readonly id: string;
  readonly orderId: string;
  readonly status: PaymentStatus;
  /** Null only for a void that arrived before any authorization was asked for. */
  readonly amount: Money | null;
  readonly tokenLast4: string | null;
  /** When the provider's approval was recorded; null if it never was. */
  readonly authorizedAt: Date | null;
  /** Why the provider declined; set only when failed. */
  readonly declineMessage: string | null;
  /** Set once, by the capture; always the authorized amount. */
  readonly capturedAmount: Money | null;
  readonly capturedAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewPayment {
  readonly id: string;
  readonly orderId: string;
  readonly amount: Money;
  /** Only its last characters are kept. */
  readonly paymentToken: string;
}

/**
 * The payment of one order:
 *
 *   pending ──approved──▶ authorized ──capture──▶ captured
 *      │  └───declined──▶ failed          └──void──▶ voided
 *      └──void──▶ voided (never authorized)
 *
 * pending is the intent, stored before the provider is asked, so a hold the provider made is never
 * unknown here. captured, voided and failed are final. A voided payment that was never authorized
 * (a void that came first, with no amount, or one that came while pending) refuses any later
 * authorization. A command repeated for a payment that has answered it gets the same answer again:
 * its first reply may have been lost.
 */
export class Payment extends AggregateRoot<PaymentDomainEvent> {
  private constructor(private state: PaymentState) {
    super();
  }

  /** The intent to authorize; the provider is asked next, with `id` as the idempotency key. */
  static request(input: NewPayment, now: Date): Payment {
    return new Payment({
      id: input.id,
      orderId: input.orderId,
      status: 'pending',
      amount: input.amount,
      tokenLast4: input.paymentToken.slice(-TOKEN_CHARACTERS_KEPT),
      authorizedAt: null,
      declineMessage: null,
      capturedAmount: null,
      capturedAt: null,
      createdAt: now,
      updatedAt: now,
    });
  }

  /** A void for an order with no payment yet: remember it, so a late authorization is refused. */
  static voidBeforeAuthorization(input: { readonly id: string; readonly orderId: string }, now: Date): Payment {
    const payment = new Payment({
      id: input.id,
      orderId: input.orderId,
      status: 'voided',
      amount: null,
      tokenLast4: null,
      authorizedAt: null,
      declineMessage: null,
      capturedAmount: null,
      capturedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    payment.record({ kind: 'VoidedBeforeAuthorization', payment: payment.state, occurredAt: now });
    return payment;
  }

  /** Rebuilds a payment loaded from storage; the rules held when it was saved. */
  static restore(state: PaymentState): Payment {
    return new Payment(state);
  }

  /** The provider's answer to the pending authorization. */
  decide(outcome: AuthorizationOutcome, now: Date): void {
    if (this.state.status !== 'pending') throw this.cannot('record an authorization for');
    if (outcome.approved) {
      this.state = { ...this.state, status: 'authorized', authorizedAt: now, updatedAt: now };
      this.record({ kind: 'PaymentAuthorized', payment: this.state, occurredAt: now });
      return;
    }
    this.state = { ...this.state, status: 'failed', declineMessage: outcome.message, updatedAt: now };
    this.record({ kind: 'PaymentDeclined', payment: this.state, message: outcome.message, occurredAt: now });
  }

  /** The authorization was asked for again after it was answered: the same answer again. */
  answerAuthorizationAgain(now: Date): void {
    if (this.state.status === 'pending') throw this.cannot('repeat the answer for');
    if (this.isVoidedBeforeAuthorization) {
      this.record({ kind: 'AuthorizationRefused', payment: this.state, occurredAt: now });
    } else if (this.state.status === 'failed') {
      this.record({ kind: 'OutcomeRepeated', outcome: 'declined', payment: this.state, occurredAt: now });
    } else {
      this.record({ kind: 'OutcomeRepeated', outcome: 'authorized', payment: this.state, occurredAt: now });
    }
  }

  /**
   * Charges the whole authorized amount. True when the provider must capture now; false when it was
   * captured before and only the answer is repeated.
   */
  capture(now: Date): boolean {
    if (this.state.status === 'captured') {
      this.record({ kind: 'OutcomeRepeated', outcome: 'captured', payment: this.state, occurredAt: now });
      return false;
    }
    const amount = this.state.amount;
    if (this.state.status !== 'authorized' || !amount) throw this.cannot('capture');
    this.state = { ...this.state, status: 'captured', capturedAmount: amount, capturedAt: now, updatedAt: now };
    this.record({ kind: 'PaymentCaptured', payment: this.state, occurredAt: now });
    return true;
  }

  /**
   * Releases the authorization, or the pending one (whatever the provider decided about it). True
   * when the provider must void now; false when it was voided before (the answer is repeated) or
   * declined (nothing is held; answered as voided, so the saga stops asking).
   */
  void(now: Date): boolean {
    if (this.state.status === 'voided') {
      this.record({ kind: 'OutcomeRepeated', outcome: 'voided', payment: this.state, occurredAt: now });
      return false;
    }
    if (this.state.status === 'failed') {
      this.record({ kind: 'NothingToVoid', payment: this.state, occurredAt: now });
      return false;
    }
    if (this.state.status !== 'authorized' && this.state.status !== 'pending') throw this.cannot('void');
    this.state = { ...this.state, status: 'voided', updatedAt: now };
    this.record({ kind: 'PaymentVoided', payment: this.state, occurredAt: now });
    return true;
  }

  /** Voided before an authorization was recorded: later authorizations of the order are refused. */
  get isVoidedBeforeAuthorization(): boolean {
    return this.state.status === 'voided' && this.state.authorizedAt === null;
  }

  /** The key every provider call about this payment carries: its id, stored before the first call. */
  get providerKey(): string {
    return this.state.id;
  }

  get status(): PaymentStatus {
    return this.state.status;
  }

  get id(): string {
    return this.state.id;
  }

  get snapshot(): PaymentState {
    return this.state;
  }

  private cannot(action: string): InvalidPaymentTransitionError {
    return new InvalidPaymentTransitionError(action, this.state.status, this.state.orderId);
  }
}
