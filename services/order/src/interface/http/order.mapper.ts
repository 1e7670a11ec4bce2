import type { OrderDto } from '@storefront/contracts';
import type { Order } from '../../domain/order.aggregate';

const money = (value: { amountMinor: number; currency: string }) => ({
  amountMinor: value.amountMinor,
  currency: value.currency,
});

export function toOrderDto(order: Order): OrderDto {
  const state = order.snapshot;
  return {
    id: state.id,
    customerId: state.customerId,
    status: state.status,
    statusReason: state.statusReason,
    lines: state.lines.map((line) => ({
      productId: line.productId,
      sku: line.sku,
      name: line.name,
      quantity: line.quantity,
      unitPrice: money(line.unitPrice),
      lineTotal: money(line.lineTotal),
    })),
    total: money(state.total),
    shippingAddress: { ...state.shippingAddress },
    createdAt: state.createdAt.toISOString(),
    updatedAt: state.updatedAt.toISOString(),
  };
}
