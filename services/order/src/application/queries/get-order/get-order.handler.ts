import { Inject, Injectable } from '@nestjs/common';
import { isFinal, ORDER_STATUSES, type OrderStatus } from '../../../domain/order-status.value-object';
import type { Order } from '../../../domain/order.aggregate';
import { OrderNotFoundError } from '../../../domain/order.errors';
import { ORDER_REPOSITORY, type OrderRepository } from '../../../domain/order.repository';
import { ORDER_STATUS_CHANGES, type OrderStatusChanges, type OrderStatusWatch } from '../../order-status-changes.port';
import { canSee, type Viewer } from '../../viewer';

/** Wait until the order has this status, or any final one ('final'). */
export type WaitFor = OrderStatus | 'final';

/** Even with no announcement the order is read again this often while waiting. */
const RECHECK_MS = 2_000;

@Injectable()
export class GetOrderHandler {
  constructor(
    @Inject(ORDER_REPOSITORY) private readonly orders: OrderRepository,
    @Inject(ORDER_STATUS_CHANGES) private readonly changes: OrderStatusChanges,
  ) {}

  /**
   * The order as it is, or (long-poll) as soon as it reaches `wait.for` or a final status, or as it
   * is after `wait.ms`. Waiting costs a read when an announced change is worth one (the status
   * waited for, a final one, or one the announcement did not name), not a read per client poll.
   */
  async execute(orderId: string, viewer: Viewer, wait?: { for: WaitFor; ms: number }): Promise<Order> {
    const deadline = Date.now() + (wait?.ms ?? 0);
    // Watching before the first read: a change between the read and the wait is not missed.
    const watch = wait && wait.ms > 0 ? this.changes.watch(orderId) : undefined;
    try {
      for (;;) {
        const order = await this.orders.findById(orderId);
        if (!order || !canSee(viewer, order.customerId)) throw new OrderNotFoundError(orderId);
        const status = order.snapshot.status;
        const left = deadline - Date.now();
        if (!watch || !wait || isFinal(status) || status === wait.for || left <= 0) return order;
        await this.untilWorthReading(watch, wait.for, deadline);
      }
    } finally {
      watch?.close();
    }
  }

  /** Waits for an announcement that can end the wait, the recheck interval, or the deadline. */
  private async untilWorthReading(watch: OrderStatusWatch, waitFor: WaitFor, deadline: number): Promise<void> {
    for (let left = deadline - Date.now(); left > 0; left = deadline - Date.now()) {
      const announced = await watch.next(Math.min(left, RECHECK_MS));
      const worthReading = (status: string | undefined) =>
        status === undefined || status === waitFor || !ORDER_STATUSES.has(status) || isFinal(status as OrderStatus);
      if (announced.length === 0 || announced.some(worthReading)) return;
    }
  }
}
