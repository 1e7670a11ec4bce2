import { Money } from '@storefront/ddd';
import type { OrderStatus } from '../../domain/order-status.value-object';
import { Order, type ShippingAddress } from '../../domain/order.aggregate';
import type { OrderLine as OrderLineRow, Order as OrderRow } from './generated/client';

export type OrderRowWithLines = OrderRow & { lines: OrderLineRow[] };

export function toOrder(row: OrderRowWithLines): Order {
  return Order.restore({
    id: row.id,
    customerId: row.customerId,
    status: row.status as OrderStatus,
    statusReason: row.statusReason,
    lines: row.lines.map((line) => ({
      productId: line.productId,
      sku: line.sku,
      name: line.name,
      quantity: line.quantity,
      unitPrice: Money.of(line.unitPriceMinor, row.currency),
      lineTotal: Money.of(line.lineTotalMinor, row.currency),
    })),
    total: Money.of(row.totalMinor, row.currency),
    paymentToken: row.paymentToken,
    shippingAddress: row.shippingAddress as unknown as ShippingAddress,
    stepDeadlineAt: row.stepDeadlineAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });
}

/** Columns that change over an order's life. */
export function toMutableColumns(order: Order) {
  const state = order.snapshot;
  return {
    status: state.status,
    statusReason: state.statusReason,
    paymentToken: state.paymentToken,
    stepDeadlineAt: state.stepDeadlineAt,
    updatedAt: state.updatedAt,
  };
}
