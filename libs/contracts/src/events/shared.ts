import { z } from 'zod';

/** Money in events: integer minor units and an ISO 4217 currency. */
export const eventMoneySchema = z.object({
  amountMinor: z.number().int().nonnegative(),
  currency: z.string().length(3),
});

export const orderLineItemSchema = z.object({
  sku: z.string(),
  quantity: z.number().int().positive(),
});
