import { z } from 'zod';
import { natsConfigSchema } from '@storefront/messaging';
import { baseConfigSchema, databaseConfigSchema, grpcServerConfigSchema } from '@storefront/service-kit';

export const catalogConfigSchema = baseConfigSchema.extend({
  HTTP_PORT: baseConfigSchema.shape.HTTP_PORT.default(3001),
  GRPC_PORT: grpcServerConfigSchema.shape.GRPC_PORT.default(50051),
  ...databaseConfigSchema.shape,
  ...natsConfigSchema.shape,
  /** A product with 1 to this many units available is shown as "low" (0 turns "low" off). */
  LOW_STOCK_THRESHOLD: z.coerce.number().int('must be a whole number').min(0).max(1_000_000).default(5),
});

export type CatalogConfig = z.output<typeof catalogConfigSchema>;

/** Provider token of the parsed CatalogConfig. */
export const CATALOG_CONFIG = Symbol('CatalogConfig');
