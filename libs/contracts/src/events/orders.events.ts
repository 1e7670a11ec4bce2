import { z } from 'zod';
import { defineEvent } from './event-definition';
import { eventMoneySchema } from './shared';
import type { StreamDefinition } from './streams';

/** The stream of the orders domain; every event below is stored in it. */
export const ORDERS_STREAM: StreamDefinition = { name: 'ORDERS', domain: 'orders', description: 'Order lifecycle' };

const orderLine = z.object({
  productId: z.uuid(),
  sku: z.string(),
  name: z.string(),
  quantity: z.number().int().positive(),
  unitPrice: eventMoneySchema,
  lineTotal: eventMoneySchema,
});

export const OrderPlacedV1 = defineEvent({
  stream: ORDERS_STREAM,
  subject: 'orders.order-placed.v1',
  producer: 'order',
  description: 'A customer placed an order, priced from the catalog at that moment.',
  payload: z.object({
    orderId: z.uuid(),
    customerId: z.string(),
    lines: z.array(orderLine).min(1),
    total: eventMoneySchema,
  }),
});

export const OrderConfirmedV1 = defineEvent({
  stream: ORDERS_STREAM,
  subject: 'orders.order-confirmed.v1',
  producer: 'order',
  description: 'The order is paid and its stock sold.',
  payload: z.object({ orderId: z.uuid(), customerId: z.string(), total: eventMoneySchema }),
});

export const OrderCancelledV1 = defineEvent({
  stream: ORDERS_STREAM,
  subject: 'orders.order-cancelled.v1',
  producer: 'order',
  description: 'The order will not complete (payment failed, a step timed out, or the customer cancelled); compensation was requested.',
  payload: z.object({ orderId: z.uuid(), customerId: z.string(), reason: z.string() }),
});

export const OrderRejectedV1 = defineEvent({
  stream: ORDERS_STREAM,
  subject: 'orders.order-rejected.v1',
  producer: 'order',
  description: 'The order could not be served (not enough stock); nothing was reserved or charged.',
  payload: z.object({ orderId: z.uuid(), customerId: z.string(), reason: z.string() }),
});
