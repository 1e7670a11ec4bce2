import { z } from 'zod';

/** The simulated payment provider's behaviour, changeable at run time for experiments. */
export const paymentProviderSettingsSchema = z.strictObject({
  latencyMs: z.number().int().min(0).max(30_000).describe('Delay of every provider call'),
  failureRate: z.number().min(0).max(1).describe('Share of calls that fail with a transient error (retried)'),
  declineAmountOverMinor: z.number().int().min(0).nullable().describe('Authorizations above this amount are declined; null for no limit'),
});
export type PaymentProviderSettings = z.output<typeof paymentProviderSettingsSchema>;

export const paymentSchema = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  status: z.enum(['pending', 'authorized', 'captured', 'voided', 'failed']),
  amount: z.object({ amountMinor: z.number().int(), currency: z.string() }),
  capturedAmountMinor: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type PaymentDto = z.output<typeof paymentSchema>;

/** One authorization in the simulated provider's own records, by the idempotency key payment gave it. */
export const providerHoldSchema = z.object({
  idempotencyKey: z.string(),
  reference: z.string().describe('The order id'),
  status: z.enum(['held', 'captured', 'voided', 'declined']).describe('held: money reserved on the card and neither captured nor released'),
  amount: z.object({ amountMinor: z.number().int(), currency: z.string() }).nullable(),
  createdAt: z.iso.datetime(),
});
export type ProviderHoldDto = z.output<typeof providerHoldSchema>;

export const providerHoldsQuerySchema = z.strictObject({ status: providerHoldSchema.shape.status.optional() });
export type ProviderHoldsQuery = z.output<typeof providerHoldsQuerySchema>;
export const providerHoldsSchema = z.object({ items: z.array(providerHoldSchema) });
export type ProviderHoldsDto = z.output<typeof providerHoldsSchema>;
