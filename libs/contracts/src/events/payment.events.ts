import { z } from 'zod';
import { defineEvent } from './event-definition';
import { eventMoneySchema } from './shared';
import type { StreamDefinition } from './streams';

/** The stream of the payment domain; every event below is stored in it. */
export const PAYMENTS_STREAM: StreamDefinition = { name: 'PAYMENTS', domain: 'payment', description: 'Payment outcomes' };

export const AuthorizePaymentV1 = defineEvent({
  stream: PAYMENTS_STREAM,
  subject: 'payment.authorize-payment.v1',
  producer: 'order',
  description: 'Command: authorize the order total on the customer’s payment method.',
  payload: z.object({ orderId: z.uuid(), amount: eventMoneySchema, paymentToken: z.string() }),
});

export const CapturePaymentV1 = defineEvent({
  stream: PAYMENTS_STREAM,
  subject: 'payment.capture-payment.v1',
  producer: 'order',
  description: 'Command: capture the authorized amount of the order.',
  payload: z.object({ orderId: z.uuid() }),
});

export const VoidPaymentV1 = defineEvent({
  stream: PAYMENTS_STREAM,
  subject: 'payment.void-payment.v1',
  producer: 'order',
  description:
    'Command: cancel the authorization of the order. Also sent when none is known yet, so an ' +
    'authorization that arrives late is refused.',
  payload: z.object({ orderId: z.uuid(), reason: z.string() }),
});

export const PaymentAuthorizedV1 = defineEvent({
  stream: PAYMENTS_STREAM,
  subject: 'payment.authorized.v1',
  producer: 'payment',
  description: 'The order total is authorized and can be captured.',
  payload: z.object({ orderId: z.uuid(), paymentId: z.uuid(), amount: eventMoneySchema }),
});

export const PaymentFailedV1 = defineEvent({
  stream: PAYMENTS_STREAM,
  subject: 'payment.failed.v1',
  producer: 'payment',
  description: 'The authorization was declined or refused; nothing is held on the payment method.',
  payload: z.object({
    orderId: z.uuid(),
    reason: z.enum(['declined', 'order_voided']),
    message: z.string(),
  }),
});

export const PaymentCapturedV1 = defineEvent({
  stream: PAYMENTS_STREAM,
  subject: 'payment.captured.v1',
  producer: 'payment',
  description: 'The authorized amount was charged.',
  payload: z.object({ orderId: z.uuid(), paymentId: z.uuid(), amount: eventMoneySchema }),
});

export const PaymentVoidedV1 = defineEvent({
  stream: PAYMENTS_STREAM,
  subject: 'payment.voided.v1',
  producer: 'payment',
  description: 'The authorization was cancelled (or there was none); nothing will be charged.',
  payload: z.object({ orderId: z.uuid(), paymentId: z.uuid().nullable() }),
});
