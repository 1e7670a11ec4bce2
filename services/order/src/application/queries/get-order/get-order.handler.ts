import { Inject, Injectable } from '@nestjs/common';
import type { Order } from '../../../domain/order.aggregate';
import { OrderNotFoundError } from '../../../domain/order.errors';
import { type Viewer, canSee } from '../../viewer';
import { ORDER_REPOSITORY, type OrderRepository } from '../../../domain/order.repository';

@Injectable()
export class GetOrderHandler {
  constructor(@Inject(ORDER_REPOSITORY) private readonly orders: OrderRepository) {}

  async execute(orderId: string, viewer: Viewer): Promise<Order> {
    const order = await this.orders.findById(orderId);
    if (!order || !canSee(viewer, order.customerId)) throw new OrderNotFoundError(orderId);
    return order;
  }
}
