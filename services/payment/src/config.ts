import { z } from 'zod';
import { paymentProviderSettingsSchema } from '@storefront/contracts';
import { natsConfigSchema } from '@storefront/messaging';
import { baseConfigSchema, databaseConfigSchema } from '@storefront/service-kit';

const provider = paymentProviderSettingsSchema.shape;
/** An environment variable with the same bounds as the admin endpoint's field. */
const fromEnv = <T extends z.ZodType<number, number>>(field: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), z.coerce.number().pipe(field).optional());

export const paymentConfigSchema = baseConfigSchema.extend({
  HTTP_PORT: baseConfigSchema.shape.HTTP_PORT.default(3004),
  ...databaseConfigSchema.shape,
  ...natsConfigSchema.shape,
  // The simulated provider's settings at start; PUT /admin/provider changes them at run time.
  PROVIDER_LATENCY_MS: fromEnv(provider.latencyMs).default(0),
  PROVIDER_FAILURE_RATE: fromEnv(provider.failureRate).default(0),
  /** Unset: no amount is declined for being too large. */
  PROVIDER_DECLINE_AMOUNT_OVER_MINOR: fromEnv(provider.declineAmountOverMinor.unwrap()),
});

export type PaymentConfig = z.output<typeof paymentConfigSchema>;
