import { Inject, Injectable } from '@nestjs/common';
import type { Order } from '../../../domain/order.aggregate';
import { OrderNotFoundError } from '../../../domain/order.errors';
import { type Viewer, canSee } from '../../viewer';
import { ORDER_REPOSITORY, type OrderRepository } from '../../../domain/order.repository';

@Injectable()
export class CancelOrderHandler {
  constructor(@Inject(ORDER_REPOSITORY) private readonly orders: OrderRepository) {}

  async execute(orderId: string, viewer: Viewer): Promise<Order> {
    // Checked on the locked order inside the update: one read, and another customer's order is unknown.
    const updated = await this.orders.update(orderId, (order) => {
      if (!canSee(viewer, order.customerId)) throw new OrderNotFoundError(orderId);
      order.cancel(new Date());
    });
    if (!updated) throw new OrderNotFoundError(orderId);
    return updated.order;
  }
}
