import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Transaction } from '@storefront/ddd';
import { isFinal } from '../../domain/order-status.value-object';
import type { Order, StepTimeouts } from '../../domain/order.aggregate';
import { OrderNotFoundError } from '../../domain/order.errors';
import { ORDER_REPOSITORY, type OrderRepository } from '../../domain/order.repository';
import { STEP_TIMEOUTS } from '../step-timeouts';

/**
 * The orchestrator: applies each reply of inventory and payment to its order. The order aggregate
 * decides; saving it sends the next commands (or the compensations) through the outbox, in the
 * same transaction as the consumed message's inbox record.
 */
@Injectable()
export class OrderSagaHandler {
  private readonly logger = new Logger('OrderSaga');

  constructor(
    @Inject(ORDER_REPOSITORY) private readonly orders: OrderRepository,
    @Inject(STEP_TIMEOUTS) private readonly timeouts: StepTimeouts,
  ) {}

  stockReserved(orderId: string, tx: Transaction): Promise<void> {
    return this.apply(orderId, tx, (order) => order.stockReserved(new Date(), this.timeouts));
  }

  stockReservationFailed(orderId: string, reason: string, tx: Transaction): Promise<void> {
    return this.apply(orderId, tx, (order) => order.stockReservationFailed(reason, new Date()));
  }

  paymentAuthorized(orderId: string, tx: Transaction): Promise<void> {
    return this.apply(orderId, tx, (order) => order.paymentAuthorized(new Date(), this.timeouts));
  }

  paymentFailed(orderId: string, message: string, tx: Transaction): Promise<void> {
    return this.apply(orderId, tx, (order) => order.paymentFailed(message, new Date()));
  }

  stockCommitted(orderId: string, tx: Transaction): Promise<void> {
    return this.apply(orderId, tx, (order) => order.stockCommitted(new Date(), this.timeouts));
  }

  stockCommitFailed(orderId: string, reason: string, tx: Transaction): Promise<void> {
    return this.apply(orderId, tx, (order) => order.stockCommitFailed(reason, new Date(), this.timeouts));
  }

  paymentVoided(orderId: string, tx: Transaction): Promise<void> {
    return this.apply(orderId, tx, (order) => order.paymentVoided());
  }

  paymentCaptured(orderId: string, tx: Transaction): Promise<void> {
    return this.apply(orderId, tx, (order) => order.paymentCaptured(new Date()));
  }

  /**
   * Compensates (or, after the authorization, asks again) every step whose deadline has passed, and
   * sends again the void of a cancelled order that payment has not confirmed.
   */
  async timeOutDueSteps(limit = 50): Promise<number> {
    const now = new Date();
    let handled = 0;
    for (const orderId of await this.orders.findTimedOut(now, limit)) {
      const updated = await this.orders.update(orderId, (order) => {
        const { status, stepDeadlineAt } = order.snapshot;
        // Re-checked under the row lock: a reply may have moved the order on meanwhile.
        if (!stepDeadlineAt || stepDeadlineAt > now) return null;
        order.timeOut(now, this.timeouts);
        return status;
      });
      const before = updated?.result;
      if (before) {
        handled += 1;
        this.logger.warn(
          isFinal(before)
            ? `order ${orderId} is ${before}; its void was not confirmed, sent again`
            : `order ${orderId} step timed out; now ${updated.order.snapshot.status}`,
        );
      }
    }
    return handled;
  }

  private async apply(orderId: string, tx: Transaction, step: (order: Order) => void): Promise<void> {
    const updated = await this.orders.update(orderId, step, tx);
    // A reply for an order this service never stored cannot succeed later: refuse it, so it ends in
    // the dead-letter stream (pnpm dlq) instead of being retried for ever.
    if (!updated) throw new OrderNotFoundError(orderId);
  }
}
