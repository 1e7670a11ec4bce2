import { z } from 'zod';
import { natsConfigSchema } from '@storefront/messaging';
import { baseConfigSchema, databaseConfigSchema } from '@storefront/service-kit';

const milliseconds = (fallback: number) => z.coerce.number().int().min(10).max(3_600_000).default(fallback);

export const orderConfigSchema = baseConfigSchema.extend({
  HTTP_PORT: baseConfigSchema.shape.HTTP_PORT.default(3003),
  ...databaseConfigSchema.shape,
  ...natsConfigSchema.shape,
  CATALOG_GRPC_URL: z
    .string()
    .regex(/^[\w.-]+:\d{1,5}$/, 'must be host:port')
    .default('127.0.0.1:50051'),
  CATALOG_TIMEOUT_MS: milliseconds(2_000),
  /**
   * Saga step deadlines. A reservation or payment still waiting past its deadline is compensated;
   * after the authorization, the stock commit and the capture are asked for again instead.
   */
  STOCK_RESERVATION_TIMEOUT_MS: milliseconds(30_000),
  PAYMENT_TIMEOUT_MS: milliseconds(30_000),
  CAPTURE_TIMEOUT_MS: milliseconds(30_000),
  /** How often the timeout sweeper looks for orders past their step deadline. */
  SAGA_SWEEP_INTERVAL_MS: milliseconds(1_000),
});

export type OrderConfig = z.output<typeof orderConfigSchema>;
export const ORDER_CONFIG = Symbol('OrderConfig');
