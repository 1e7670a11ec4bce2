import { Inject, Injectable } from '@nestjs/common';
import type { OrderTimelineDto } from '@storefront/contracts';
import { OrderNotFoundError } from '../../../domain/order.errors';
import { ORDER_HISTORY_READER, type OrderHistoryReader } from '../../ports/order-history.port';
import { visibleCustomer, type Viewer } from '../../viewer';

@Injectable()
export class GetOrderTimelineHandler {
  constructor(@Inject(ORDER_HISTORY_READER) private readonly history: OrderHistoryReader) {}

  async execute(orderId: string, viewer: Viewer): Promise<OrderTimelineDto> {
    const timeline = await this.history.timeline(orderId, visibleCustomer(viewer));
    if (!timeline) throw new OrderNotFoundError(orderId);
    return timeline;
  }
}
