import {
  AuthorizePaymentV1,
  CapturePaymentV1,
  CommitReservationV1,
  OrderCancelledV1,
  OrderConfirmedV1,
  OrderPlacedV1,
  OrderRejectedV1,
  ReleaseReservationV1,
  ReserveStockV1,
  VoidPaymentV1,
  type EventEnvelope,
} from '@storefront/contracts';
import { createEvent } from '@storefront/messaging';
import type { OrderState } from '../../domain/order.aggregate';
import type { OrderDomainEvent } from '../../domain/order.domain-event';

const SOURCE = 'order';
const money = (value: { amountMinor: number; currency: string }) => ({
  amountMinor: value.amountMinor,
  currency: value.currency,
});

/**
 * An order's decisions → what leaves through the outbox: facts for everyone (orders.*) and the
 * saga's commands to inventory and payment.
 */
export function toMessages(event: OrderDomainEvent): EventEnvelope[] {
  const order: OrderState = event.order;
  const common = { source: SOURCE, aggregateId: order.id };
  const orderId = order.id;
  switch (event.kind) {
    case 'OrderPlaced':
      return [
        createEvent(OrderPlacedV1, {
          ...common,
          occurredAt: order.createdAt,
          payload: {
            orderId,
            customerId: order.customerId,
            lines: order.lines.map((line) => ({
              productId: line.productId,
              sku: line.sku,
              name: line.name,
              quantity: line.quantity,
              unitPrice: money(line.unitPrice),
              lineTotal: money(line.lineTotal),
            })),
            total: money(order.total),
          },
        }),
        createEvent(ReserveStockV1, {
          ...common,
          payload: { orderId, lines: order.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })) },
        }),
      ];
    case 'PaymentRequested':
      if (!order.paymentToken) throw new Error(`order ${orderId} has no payment token to authorize with`);
      return [
        createEvent(AuthorizePaymentV1, {
          ...common,
          payload: { orderId, amount: money(order.total), paymentToken: order.paymentToken },
        }),
      ];
    case 'CommitRequested':
      return [createEvent(CommitReservationV1, { ...common, payload: { orderId } })];
    case 'CaptureRequested':
      return [createEvent(CapturePaymentV1, { ...common, payload: { orderId } })];
    case 'OrderConfirmed':
      return [
        createEvent(OrderConfirmedV1, {
          ...common,
          payload: { orderId, customerId: order.customerId, total: money(order.total) },
        }),
      ];
    case 'OrderCancelled':
      return [
        createEvent(OrderCancelledV1, { ...common, payload: { orderId, customerId: order.customerId, reason: event.reason } }),
        ...(event.releaseStock ? [createEvent(ReleaseReservationV1, { ...common, payload: { orderId, reason: event.reason } })] : []),
        ...(event.voidPayment ? [createEvent(VoidPaymentV1, { ...common, payload: { orderId, reason: event.reason } })] : []),
      ];
    case 'OrderRejected':
      return [createEvent(OrderRejectedV1, { ...common, payload: { orderId, customerId: order.customerId, reason: event.reason } })];
    case 'LateReservationReleased':
      return [createEvent(ReleaseReservationV1, { ...common, payload: { orderId, reason: 'order already ended' } })];
    case 'LatePaymentVoided':
      return [createEvent(VoidPaymentV1, { ...common, payload: { orderId, reason: 'order already ended' } })];
    case 'VoidRequested':
      return [createEvent(VoidPaymentV1, { ...common, payload: { orderId, reason: order.statusReason ?? 'order cancelled' } })];
  }
}
