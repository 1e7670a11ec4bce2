import type { Money } from './money.value-object';
import type { PaymentDomainEvent } from './payment.domain-event';
import { InvalidPaymentTransitionError } from './payment.errors';

export type PaymentStatus = 'AUTHORIZED' | 'CAPTURED' | 'VOIDED' | 'FAILED';

/** How much of a payment token is kept: enough to tell cards apart in support, never the token. */
const TOKEN_CHARACTERS_KEPT = 4;

export interface PaymentState {
  readonly id: string;
  readonly orderId: string;
  readonly status: PaymentStatus;
  /** Null only for a tombstone. */
  readonly amount: Money | null;
  readonly tokenLast4: string | null;
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
 * The payment of one order. AUTHORIZED can become CAPTURED or VOIDED; CAPTURED, VOIDED and FAILED
 * are final. A VOIDED payment without amount is a tombstone: the void arrived first, and it makes a
 * later authorization of the order fail.
 */
export class Payment {
  private events: PaymentDomainEvent[] = [];

  private constructor(private state: PaymentState) {}

  /** The provider approved the authorization. */
  static authorize(input: NewPayment, now: Date): Payment {
    const payment = Payment.open(input, 'AUTHORIZED', now);
    payment.record({ kind: 'PaymentAuthorized', payment: payment.state, occurredAt: now });
    return payment;
  }

  /** The provider declined the authorization; the row keeps the order from being authorized twice. */
  static decline(input: NewPayment & { readonly message: string }, now: Date): Payment {
    const payment = Payment.open(input, 'FAILED', now);
    payment.record({ kind: 'PaymentDeclined', payment: payment.state, message: input.message, occurredAt: now });
    return payment;
  }

  /** A void for an order with no payment yet: remember it, so a late authorization is refused. */
  static voidBeforeAuthorization(input: { readonly id: string; readonly orderId: string }, now: Date): Payment {
    const payment = new Payment({
      id: input.id,
      orderId: input.orderId,
      status: 'VOIDED',
      amount: null,
      tokenLast4: null,
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

  private static open(input: NewPayment, status: PaymentStatus, now: Date): Payment {
    return new Payment({
      id: input.id,
      orderId: input.orderId,
      status,
      amount: input.amount,
      tokenLast4: input.paymentToken.slice(-TOKEN_CHARACTERS_KEPT),
      capturedAmount: null,
      capturedAt: null,
      createdAt: now,
      updatedAt: now,
    });
  }

  /** Charges the whole authorized amount; returns it. */
  capture(now: Date): Money {
    const amount = this.state.amount;
    if (this.state.status !== 'AUTHORIZED' || !amount) throw this.cannot('capture');
    this.state = { ...this.state, status: 'CAPTURED', capturedAmount: amount, capturedAt: now, updatedAt: now };
    this.record({ kind: 'PaymentCaptured', payment: this.state, occurredAt: now });
    return amount;
  }

  /** Releases the authorization; nothing will be charged. */
  void(now: Date): void {
    if (this.state.status !== 'AUTHORIZED') throw this.cannot('void');
    this.state = { ...this.state, status: 'VOIDED', updatedAt: now };
    this.record({ kind: 'PaymentVoided', payment: this.state, occurredAt: now });
  }

  /** An authorization arrived after the void of its order; only a tombstone refuses one. */
  refuseAuthorization(now: Date): void {
    if (!this.isTombstone) throw this.cannot('refuse an authorization for');
    this.record({ kind: 'AuthorizationRefused', payment: this.state, occurredAt: now });
  }

  /** A void that arrived before any authorization of the order. */
  get isTombstone(): boolean {
    return this.state.status === 'VOIDED' && this.state.amount === null;
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

  /** The facts recorded since the last call; the repository saves them with the payment. */
  pullEvents(): PaymentDomainEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  private cannot(action: string): InvalidPaymentTransitionError {
    return new InvalidPaymentTransitionError(action, this.state.status, this.state.orderId);
  }

  private record(event: PaymentDomainEvent): void {
    this.events.push(event);
  }
}
