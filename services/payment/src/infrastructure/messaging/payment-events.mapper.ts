import { PaymentAuthorizedV1, PaymentCapturedV1, PaymentFailedV1, PaymentVoidedV1, type EventEnvelope } from '@storefront/contracts';
import type { Money } from '@storefront/ddd';
import { createEvent } from '@storefront/messaging';
import type { PaymentState } from '../../domain/payment.aggregate';
import type { PaymentDomainEvent } from '../../domain/payment.domain-event';

const SOURCE = 'payment';

function money(amount: Money | null): { amountMinor: number; currency: string } {
  if (!amount) throw new Error('a payment event needs an amount, and this payment has none');
  return { amountMinor: amount.amountMinor, currency: amount.currency };
}

const DECLINED = 'The payment was declined';

/** Domain events → the integration events the order saga consumes (payment.*.v1). */
export function toIntegrationEvent(event: PaymentDomainEvent): EventEnvelope {
  const { payment } = event;
  const common = { source: SOURCE, aggregateId: payment.id, occurredAt: event.occurredAt };
  const authorized = () =>
    createEvent(PaymentAuthorizedV1, {
      ...common,
      payload: { orderId: payment.orderId, paymentId: payment.id, amount: money(payment.amount) },
    });
  const declined = (message: string) =>
    createEvent(PaymentFailedV1, { ...common, payload: { orderId: payment.orderId, reason: 'declined', message } });
  const captured = () =>
    createEvent(PaymentCapturedV1, {
      ...common,
      payload: { orderId: payment.orderId, paymentId: payment.id, amount: money(payment.capturedAmount) },
    });
  const voided = (state: PaymentState) =>
    // A void that came before any authorization was asked for has no payment to name.
    createEvent(PaymentVoidedV1, { ...common, payload: { orderId: state.orderId, paymentId: state.amount ? state.id : null } });
  switch (event.kind) {
    case 'PaymentAuthorized':
      return authorized();
    case 'PaymentDeclined':
      return declined(event.message);
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
      return captured();
    case 'PaymentVoided':
    case 'VoidedBeforeAuthorization':
    case 'NothingToVoid':
      return voided(payment);
    case 'OutcomeRepeated':
      switch (event.outcome) {
        case 'authorized':
          return authorized();
        case 'declined':
          return declined(payment.declineMessage ?? DECLINED);
        case 'captured':
          return captured();
        case 'voided':
          return voided(payment);
      }
  }
}
