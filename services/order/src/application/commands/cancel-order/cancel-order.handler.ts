import { Inject, Injectable } from '@nestjs/common';
import type { Order, StepTimeouts } from '../../../domain/order.aggregate';
import { OrderNotFoundError } from '../../../domain/order.errors';
import { ORDER_REPOSITORY, type OrderRepository } from '../../../domain/order.repository';
import { STEP_TIMEOUTS } from '../../step-timeouts';
import { canSee, type Viewer } from '../../viewer';

@Injectable()
export class CancelOrderHandler {
  constructor(
    @Inject(ORDER_REPOSITORY) private readonly orders: OrderRepository,
    @Inject(STEP_TIMEOUTS) private readonly timeouts: StepTimeouts,
  ) {}

  async execute(orderId: string, viewer: Viewer): Promise<Order> {
    // Checked on the locked order inside the update: one read, and another customer's order is unknown.
    const updated = await this.orders.update(orderId, (order) => {
      if (!canSee(viewer, order.customerId)) throw new OrderNotFoundError(orderId);
      order.cancel(new Date(), this.timeouts);
    });
    if (!updated) throw new OrderNotFoundError(orderId);
    return updated.order;
  }
}
