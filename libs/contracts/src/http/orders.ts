import { z } from 'zod';
import { moneySchema, productSchema } from './catalog';

/** The public HTTP contract of orders (order service, and the gateway in front of it). */

export const MAX_ORDER_LINES = 50;
export const MAX_LINE_QUANTITY = 100;

export const ORDER_STATUSES = ['placed', 'stock_reserved', 'payment_authorized', 'confirmed', 'cancelled', 'rejected'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const FINAL_ORDER_STATUSES: readonly OrderStatus[] = ['confirmed', 'cancelled', 'rejected'];

export const orderIdSchema = z.uuid({ error: 'must be a UUID' });
/** The Idempotency-Key header, required on POST /api/orders and scoped to the customer. */
export const idempotencyKeySchema = z.string().regex(/^[\w.:-]{1,128}$/, 'must be 1-128 letters, digits, "_", "-", "." or ":"');

export const shippingAddressSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  line1: z.string().trim().min(1).max(200),
  city: z.string().trim().min(1).max(100),
  postalCode: z.string().trim().min(1).max(20),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code such as "DE"'),
});

export const placeOrderBodySchema = z.strictObject({
  customerId: z
    .string()
    .regex(/^[\w-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"')
    .optional()
    .describe('Defaults to the caller (the access token’s subject); a customer may only order for themselves'),
  lines: z
    .array(
      z.strictObject({
        productId: z.uuid({ error: 'must be a product id (UUID)' }),
        quantity: z
          .number()
          .int('must be a whole number')
          .min(1, 'must be at least 1')
          .max(MAX_LINE_QUANTITY, `must be at most ${MAX_LINE_QUANTITY}`),
      }),
    )
    .min(1, 'must contain at least one line')
    .max(MAX_ORDER_LINES, `must contain at most ${MAX_ORDER_LINES} lines`)
    .refine(
      (lines) => new Set(lines.map((line) => line.productId)).size === lines.length,
      'must name each product once; add up the quantities instead',
    ),
  paymentToken: z.string().regex(/^tok_[a-z0-9_]{1,60}$/, 'must be a payment token such as "tok_visa"'),
  shippingAddress: shippingAddressSchema,
});
export type PlaceOrderBody = z.output<typeof placeOrderBodySchema>;

export const orderLineSchema = z.object({
  productId: z.uuid(),
  sku: z.string(),
  name: z.string(),
  quantity: z.number().int(),
  unitPrice: moneySchema,
  lineTotal: moneySchema,
});

export const orderSchema = z.object({
  id: z.uuid(),
  customerId: z.string(),
  status: z.enum(ORDER_STATUSES),
  statusReason: z.string().nullable().describe('Why the order was cancelled or rejected'),
  lines: z.array(orderLineSchema),
  total: moneySchema,
  shippingAddress: shippingAddressSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type OrderDto = z.output<typeof orderSchema>;

const waitFor = z
  .enum([...ORDER_STATUSES, 'final'], { error: `must be one of ${[...ORDER_STATUSES, 'final'].join(', ')}` })
  .optional()
  .describe('Answer once the order has this status or a final one (long-poll; Prefer: wait=<seconds> caps the wait)');

/**
 * Query of GET /orders/{id}: `waitFor` makes it a long-poll that answers once the order has that
 * status or a final one ('final': any final one), or when the wait of `Prefer: wait=<seconds>`
 * (default 10, at most 30) is over; the answer then says `Preference-Applied: wait=<seconds>`.
 */
export const getOrderQuerySchema = z.strictObject({ waitFor });
export type GetOrderQuery = z.output<typeof getOrderQuerySchema>;
/**
 * Query of POST /orders: the same `waitFor`, so that a client that wants the outcome places the order
 * and waits for it in one request (the answer is still 201 with the order, as it is by then) instead
 * of a POST and then a long-poll.
 */
export const placeOrderQuerySchema = z.strictObject({ waitFor });
export type PlaceOrderQuery = z.output<typeof placeOrderQuerySchema>;
export const DEFAULT_ORDER_WAIT_SECONDS = 10;
export const MAX_ORDER_WAIT_SECONDS = 30;

/** The wait a `Prefer` header asks for (RFC 7240 `wait=<seconds>`), within 0 and the maximum; the default without one. */
export function preferredWaitSeconds(prefer: string | undefined): number {
  const match = prefer === undefined ? null : /(?:^|[,;\s])wait\s*=\s*"?(\d{1,6})"?/i.exec(prefer);
  const seconds = match ? Number(match[1]) : DEFAULT_ORDER_WAIT_SECONDS;
  return Math.min(seconds, MAX_ORDER_WAIT_SECONDS);
}

/** Query of the order history (the read model): filters, newest first, keyset pagination. */
export const listOrdersQuerySchema = z.strictObject({
  customerId: z
    .string()
    .regex(/^[\w-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"')
    .optional(),
  status: z.enum(ORDER_STATUSES).optional(),
  from: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional().describe('Placed at or after'),
  to: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional().describe('Placed before'),
  cursor: z
    .string()
    .max(512)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned by a previous page')
    .optional(),
  limit: z
    .string()
    .regex(/^\d{1,6}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(100, 'must be at most 100'))
    .optional(),
});
export type ListOrdersQuery = z.output<typeof listOrdersQuerySchema>;

export const orderSummarySchema = z.object({
  id: z.uuid(),
  customerId: z.string(),
  status: z.enum(ORDER_STATUSES),
  statusReason: z.string().nullable(),
  paymentStatus: z.enum(['authorized', 'captured', 'failed', 'voided']).nullable(),
  lines: z.array(orderLineSchema).describe('Names are the products’ current ones; prices as charged'),
  total: moneySchema,
  placedAt: z.iso.datetime(),
  lastEventAt: z.iso.datetime(),
});
export type OrderSummaryDto = z.output<typeof orderSummarySchema>;

export const orderHistoryPageSchema = z.object({
  items: z.array(orderSummarySchema),
  nextCursor: z.string().nullable(),
});
export type OrderHistoryPageDto = z.output<typeof orderHistoryPageSchema>;

export const orderTimelineSchema = z.object({
  orderId: z.uuid(),
  entries: z.array(z.object({ at: z.iso.datetime(), type: z.string(), detail: z.string().nullable() })),
});
export type OrderTimelineDto = z.output<typeof orderTimelineSchema>;

/**
 * GET /api/orders/{id}/details: the order composed at the gateway with each line's full product and
 * the saga timeline. A part whose service is down is null and named in `unavailable`, so the order
 * itself still answers.
 */
export const orderDetailsSchema = orderSchema.extend({
  lines: z.array(orderLineSchema.extend({ product: productSchema.nullable().describe('null when the catalog is unavailable') })),
  timeline: orderTimelineSchema.shape.entries.nullable().describe('null when the order history is unavailable'),
  unavailable: z.array(z.enum(['catalog', 'timeline'])).describe('Parts left out because their service did not answer'),
});
export type OrderDetailsDto = z.output<typeof orderDetailsSchema>;
