import { Money } from '@storefront/ddd';
import type { OrderStatus } from '../../domain/order-status.value-object';
import { Order, type ShippingAddress } from '../../domain/order.aggregate';
import type { OrderLine as OrderLineRow, Order as OrderRow } from './generated/client';

/** An order row with its lines, as Prisma's include or ORDER_WITH_LINES reads it. */
export type OrderRowWithLines = OrderRow & { lines: Omit<OrderLineRow, 'orderId'>[] };

/**
 * The columns of an order (named as Prisma's model) and its lines as a JSON array, in one query:
 * `${ORDER_WITH_LINES} WHERE o."id" = $1`. Prisma's include takes two.
 */
export const ORDER_WITH_LINES = `SELECT o."id", o."customer_id" AS "customerId", o."status", o."status_reason" AS "statusReason",
  o."currency", o."total_minor" AS "totalMinor", o."payment_token" AS "paymentToken", o."shipping_address" AS "shippingAddress",
  o."step_deadline_at" AS "stepDeadlineAt", o."created_at" AS "createdAt", o."updated_at" AS "updatedAt",
  (SELECT coalesce(json_agg(json_build_object('productId', l."product_id", 'sku', l."sku", 'name', l."name", 'quantity', l."quantity",
     'unitPriceMinor', l."unit_price_minor", 'lineTotalMinor', l."line_total_minor")), '[]') FROM "order_lines" l WHERE l."order_id" = o."id") AS "lines"
FROM "orders" o`;

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
