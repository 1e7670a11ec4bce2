import { AggregateRoot, type Money } from '@storefront/ddd';
import { isFinal, type OrderStatus } from './order-status.value-object';
import type { OrderDomainEvent } from './order.domain-event';
import { IllegalOrderTransitionError, InvalidOrderError, OrderNotCancellableError } from './order.errors';

interface OrderLine {
  readonly productId: string;
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPrice: Money;
  readonly lineTotal: Money;
}

export interface ShippingAddress {
  readonly name: string;
  readonly line1: string;
  readonly city: string;
  readonly postalCode: string;
  readonly country: string;
}

export interface OrderState {
  readonly id: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly statusReason: string | null;
  readonly lines: readonly OrderLine[];
  readonly total: Money;
  readonly paymentToken: string | null;
  readonly shippingAddress: ShippingAddress;
  /**
   * When the current step times out. Null once final, except for a cancelled order whose void the
   * payment has not confirmed yet: the void is sent again then.
   */
  readonly stepDeadlineAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** How long each saga step may take before it is compensated. */
export interface StepTimeouts {
  readonly stockReservationMs: number;
  readonly paymentMs: number;
  readonly captureMs: number;
}

/** A void is sent again until payment confirms it, as often as a payment step may take. */
function voidDeadline(now: Date, timeouts: StepTimeouts): Date {
  return new Date(now.getTime() + timeouts.paymentMs);
}

export interface PricedLine {
  readonly productId: string;
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPrice: Money;
}

/**
 * An order and its saga, as a state machine:
 *
 *   placed ──stock reserved──▶ stock_reserved ──payment authorized──▶ payment_authorized ──captured──▶ confirmed
 *     │                           │                                     │  (commit the stock first; only
 *     └─no stock──▶ rejected      └─payment failed / timeout──▶ cancelled ◀┘  once it is sold, capture: the pivot)
 *                                                                  commit refused (the reservation ended)
 *
 * In payment_authorized the stock is committed before the money is captured: a commit that comes too
 * late (the reservation expired) is refused by inventory, and the authorization is voided instead of
 * charged, so no order is paid for units that went back on sale. Every transition records the
 * commands to send next; messages that arrive after the order ended are answered with compensation
 * (release the stock, void the payment), and a reply that repeats one already applied changes nothing.
 */
export class Order extends AggregateRoot<OrderDomainEvent> {
  private constructor(private state: OrderState) {
    super();
  }

  static place(
    input: {
      id: string;
      customerId: string;
      lines: readonly PricedLine[];
      paymentToken: string;
      shippingAddress: ShippingAddress;
    },
    now: Date,
    timeouts: StepTimeouts,
  ): Order {
    if (input.lines.length === 0) throw new InvalidOrderError('an order needs at least one line', 'lines');
    const lines = input.lines.map((line) => {
      if (!Number.isInteger(line.quantity) || line.quantity < 1) {
        throw new InvalidOrderError('quantity must be a whole number of at least 1', 'lines.quantity');
      }
      return { ...line, lineTotal: line.unitPrice.times(line.quantity) };
    });
    const [first, ...rest] = lines;
    const total = rest.reduce((sum, line) => sum.plus(line.lineTotal), (first as OrderLine).lineTotal);
    const order = new Order({
      id: input.id,
      customerId: input.customerId,
      status: 'placed',
      statusReason: null,
      lines,
      total,
      paymentToken: input.paymentToken,
      shippingAddress: input.shippingAddress,
      stepDeadlineAt: new Date(now.getTime() + timeouts.stockReservationMs),
      createdAt: now,
      updatedAt: now,
    });
    order.record({ kind: 'OrderPlaced', order: order.state });
    return order;
  }

  static restore(state: OrderState): Order {
    return new Order(state);
  }

  get id(): string {
    return this.state.id;
  }

  get customerId(): string {
    return this.state.customerId;
  }

  get snapshot(): OrderState {
    return this.state;
  }

  /** inventory.stock-reserved */
  stockReserved(now: Date, timeouts: StepTimeouts): void {
    const status = this.state.status;
    if (status === 'placed') {
      this.moveTo('stock_reserved', now, new Date(now.getTime() + timeouts.paymentMs));
      this.record({ kind: 'PaymentRequested', order: this.state });
      return;
    }
    if (status === 'cancelled' || status === 'rejected') {
      this.record({ kind: 'LateReservationReleased', order: this.state });
      return;
    }
    // stock_reserved or later: the same reply again (a repeated command is answered again).
  }

  /** inventory.stock-reservation-failed */
  stockReservationFailed(reason: string, now: Date): void {
    if (this.state.status === 'placed') {
      this.finish('rejected', reason, now);
      this.record({ kind: 'OrderRejected', order: this.state, reason });
      return;
    }
    if (isFinal(this.state.status)) return; // it ended already; nothing was reserved to give back
    throw new IllegalOrderTransitionError(this.id, this.state.status, 'fail its stock reservation');
  }

  /** payment.authorized: commit the reserved stock; the money is captured once it is sold. */
  paymentAuthorized(now: Date, timeouts: StepTimeouts): void {
    const status = this.state.status;
    if (status === 'stock_reserved') {
      this.moveTo('payment_authorized', now, new Date(now.getTime() + timeouts.captureMs));
      this.state = { ...this.state, paymentToken: null };
      this.record({ kind: 'CommitRequested', order: this.state });
      return;
    }
    if (status === 'cancelled') {
      this.state = { ...this.state, stepDeadlineAt: voidDeadline(now, timeouts) };
      this.record({ kind: 'LatePaymentVoided', order: this.state });
      return;
    }
    if (status === 'payment_authorized' || status === 'confirmed') return; // the same reply again
    throw new IllegalOrderTransitionError(this.id, status, 'have its payment authorized');
  }

  /** payment.failed */
  paymentFailed(message: string, now: Date): void {
    if (this.state.status === 'stock_reserved') {
      this.cancelWith(`payment failed: ${message}`, now, { releaseStock: true, voidPayment: null });
      return;
    }
    if (this.state.status === 'cancelled') return; // already compensated
    throw new IllegalOrderTransitionError(this.id, this.state.status, 'fail its payment');
  }

  /** inventory.reservation-committed: the units are sold, so the money may be captured. */
  stockCommitted(now: Date, timeouts: StepTimeouts): void {
    const status = this.state.status;
    if (status === 'payment_authorized') {
      // Also for a repeated reply: the capture it asks for again is answered again.
      this.moveTo('payment_authorized', now, new Date(now.getTime() + timeouts.captureMs));
      this.record({ kind: 'CaptureRequested', order: this.state });
      return;
    }
    if (status === 'confirmed') return; // the same reply again
    throw new IllegalOrderTransitionError(this.id, status, 'have its stock committed');
  }

  /** inventory.reservation-commit-failed: the reservation ended first; nothing is sold, so nothing is charged. */
  stockCommitFailed(reason: string, now: Date, timeouts: StepTimeouts): void {
    const status = this.state.status;
    if (status === 'payment_authorized') {
      this.cancelWith(`the stock reservation ended before the order was confirmed (${reason})`, now, {
        releaseStock: false,
        voidPayment: voidDeadline(now, timeouts),
      });
      return;
    }
    if (status === 'cancelled') return; // the same reply again
    throw new IllegalOrderTransitionError(this.id, status, 'fail to commit its stock');
  }

  /** payment.captured: the pivot; the order is confirmed. */
  paymentCaptured(now: Date): void {
    if (this.state.status === 'payment_authorized') {
      this.finish('confirmed', null, now);
      this.record({ kind: 'OrderConfirmed', order: this.state });
      return;
    }
    if (this.state.status === 'confirmed') return; // the same reply again
    throw new IllegalOrderTransitionError(this.id, this.state.status, 'have its payment captured');
  }

  /** payment.voided: the void sent for this cancelled order is done, so it is not sent again. */
  paymentVoided(): void {
    if (this.state.status !== 'cancelled') {
      throw new IllegalOrderTransitionError(this.id, this.state.status, 'have its payment voided');
    }
    if (this.state.stepDeadlineAt) this.state = { ...this.state, stepDeadlineAt: null };
  }

  /** The customer cancels. Allowed until the payment is authorized. */
  cancel(now: Date, timeouts: StepTimeouts): void {
    switch (this.state.status) {
      case 'placed':
        // The reservation may be in flight: releasing leaves a tombstone that refuses it.
        this.cancelWith('cancelled by the customer', now, { releaseStock: true, voidPayment: null });
        return;
      case 'stock_reserved':
        this.cancelWith('cancelled by the customer', now, { releaseStock: true, voidPayment: voidDeadline(now, timeouts) });
        return;
      default:
        throw new OrderNotCancellableError(this.id, this.state.status);
    }
  }

  /** The current step passed its deadline. */
  timeOut(now: Date, timeouts: StepTimeouts): void {
    switch (this.state.status) {
      case 'placed':
        this.cancelWith('stock reservation timed out', now, { releaseStock: true, voidPayment: null });
        return;
      case 'stock_reserved':
        this.cancelWith('payment timed out', now, { releaseStock: true, voidPayment: voidDeadline(now, timeouts) });
        return;
      case 'payment_authorized':
        // Ask again instead of compensating: the commit's answer (committed, or refused) decides, and
        // a committed one asks for the capture again. Both commands are answered again when repeated.
        this.moveTo('payment_authorized', now, new Date(now.getTime() + timeouts.captureMs));
        this.record({ kind: 'CommitRequested', order: this.state });
        return;
      case 'cancelled':
        // Its void is not confirmed (lost, or dead-lettered): send it again; payment answers every void.
        this.state = { ...this.state, stepDeadlineAt: voidDeadline(now, timeouts) };
        this.record({ kind: 'VoidRequested', order: this.state });
        return;
      default:
        throw new IllegalOrderTransitionError(this.id, this.state.status, 'time out');
    }
  }

  /** `voidPayment`: null when nothing can be authorized, else until when payment must confirm the void. */
  private cancelWith(reason: string, now: Date, compensation: { releaseStock: boolean; voidPayment: Date | null }): void {
    this.finish('cancelled', reason, now);
    this.state = { ...this.state, paymentToken: null, stepDeadlineAt: compensation.voidPayment };
    this.record({
      kind: 'OrderCancelled',
      order: this.state,
      reason,
      releaseStock: compensation.releaseStock,
      voidPayment: compensation.voidPayment !== null,
    });
  }

  private moveTo(status: OrderStatus, now: Date, deadline: Date): void {
    this.state = { ...this.state, status, stepDeadlineAt: deadline, updatedAt: now };
  }

  private finish(status: OrderStatus, reason: string | null, now: Date): void {
    this.state = { ...this.state, status, statusReason: reason, stepDeadlineAt: null, updatedAt: now };
  }
}
