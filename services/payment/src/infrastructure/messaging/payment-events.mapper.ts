import {
  type EventEnvelope,
  PaymentAuthorizedV1,
  PaymentCapturedV1,
  PaymentFailedV1,
  PaymentVoidedV1,
} from '@storefront/contracts';
import { createEvent } from '@storefront/messaging';
import type { Money } from '../../domain/money.value-object';
import type { PaymentDomainEvent } from '../../domain/payment.domain-event';

const SOURCE = 'payment';

function money(amount: Money | null): { amountMinor: number; currency: string } {
  if (!amount) throw new Error('a payment event needs an amount, and this payment has none');
  return { amountMinor: amount.amountMinor, currency: amount.currency };
}

/** Domain events → the integration events the order saga consumes (payment.*.v1). */
export function toIntegrationEvent(event: PaymentDomainEvent): EventEnvelope {
  const { payment } = event;
  const common = { source: SOURCE, aggregateId: payment.id, occurredAt: event.occurredAt };
  switch (event.kind) {
    case 'PaymentAuthorized':
      return createEvent(PaymentAuthorizedV1, {
        ...common,
        payload: { orderId: payment.orderId, paymentId: payment.id, amount: money(payment.amount) },
      });
    case 'PaymentDeclined':
      return createEvent(PaymentFailedV1, {
        ...common,
        payload: { orderId: payment.orderId, reason: 'declined', message: event.message },
      });
    case 'AuthorizationRefused':
      return createEvent(PaymentFailedV1, {
        ...common,
        payload: {
          orderId: payment.orderId,
          reason: 'order_voided',
          message: 'The order was voided before its payment was authorized',
        },
      });
    case 'PaymentCaptured':
      return createEvent(PaymentCapturedV1, {
        ...common,
        payload: { orderId: payment.orderId, paymentId: payment.id, amount: money(payment.capturedAmount) },
      });
    case 'PaymentVoided':
      return createEvent(PaymentVoidedV1, { ...common, payload: { orderId: payment.orderId, paymentId: payment.id } });
    case 'VoidedBeforeAuthorization':
      // No authorization existed, so there is no payment to name.
      return createEvent(PaymentVoidedV1, { ...common, payload: { orderId: payment.orderId, paymentId: null } });
  }
}
