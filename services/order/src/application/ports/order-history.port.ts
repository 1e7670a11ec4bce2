import type { OrderHistoryPageDto, OrderTimelineDto } from '@storefront/contracts';
import type { OrderStatus } from '../../domain/order-status.value-object';

export interface OrderHistoryCriteria {
  readonly customerId?: string | undefined;
  readonly status?: OrderStatus | undefined;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  readonly after?: { readonly placedAt: Date; readonly orderId: string } | undefined;
  readonly limit: number;
}

/** The query side of orders: answers from the order history read model only. */
export interface OrderHistoryReader {
  list(criteria: OrderHistoryCriteria): Promise<OrderHistoryPageDto['items']>;
  /** The order's timeline; null when unknown, or when `customerId` is given and is not its owner. */
  timeline(orderId: string, customerId?: string): Promise<OrderTimelineDto | null>;
  /** When the newest event the read model applied occurred; null before the first one. */
  lastEventAt(): Promise<Date | null>;
}

export const ORDER_HISTORY_READER = Symbol('OrderHistoryReader');
