import { z } from 'zod';

/** The simulated payment provider's behaviour, changeable at run time for experiments. */
export const paymentProviderSettingsSchema = z.strictObject({
  latencyMs: z.number().int().min(0).max(30_000).describe('Delay of every provider call'),
  failureRate: z.number().min(0).max(1).describe('Share of calls that fail with a transient error (retried)'),
  declineAmountOverMinor: z
    .number()
    .int()
    .min(0)
    .nullable()
    .describe('Authorizations above this amount are declined; null for no limit'),
});
export type PaymentProviderSettings = z.output<typeof paymentProviderSettingsSchema>;

export const paymentSchema = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  status: z.enum(['authorized', 'captured', 'voided', 'failed']),
  amount: z.object({ amountMinor: z.number().int(), currency: z.string() }),
  capturedAmountMinor: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type PaymentDto = z.output<typeof paymentSchema>;
