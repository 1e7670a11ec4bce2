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
  /** Product views kept in memory for the product page and GetProduct (least recently read out first); 0 reads every time. */
  PRODUCT_VIEW_MAX_ENTRIES: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
  /** How long a kept product view may be served without an event dropping it: the bound on staleness if events stop. */
  PRODUCT_VIEW_TTL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
});

export type CatalogConfig = z.output<typeof catalogConfigSchema>;

/** Provider token of the parsed CatalogConfig. */
export const CATALOG_CONFIG = Symbol('CatalogConfig');
