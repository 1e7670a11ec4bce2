import { Inject, Injectable } from '@nestjs/common';
import type { Order } from '../../../domain/order.aggregate';
import { OrderNotFoundError } from '../../../domain/order.errors';
import { ORDER_REPOSITORY, type OrderRepository } from '../../../domain/order.repository';

@Injectable()
export class CancelOrderHandler {
  constructor(@Inject(ORDER_REPOSITORY) private readonly orders: OrderRepository) {}

  async execute(orderId: string): Promise<Order> {
    const updated = await this.orders.update(orderId, (order) => order.cancel(new Date()));
    if (!updated) throw new OrderNotFoundError(orderId);
    return updated.order;
  }
}
