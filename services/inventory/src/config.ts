import { z } from 'zod';
import { natsConfigSchema } from '@storefront/messaging';
import { baseConfigSchema, databaseConfigSchema, grpcServerConfigSchema } from '@storefront/service-kit';

const wholeNumber = z.coerce.number().int('must be a whole number');

export const inventoryConfigSchema = baseConfigSchema.extend({
  HTTP_PORT: baseConfigSchema.shape.HTTP_PORT.default(3002),
  GRPC_PORT: grpcServerConfigSchema.shape.GRPC_PORT.default(50052),
  ...databaseConfigSchema.shape,
  ...natsConfigSchema.shape,
  /** Units a SKU starts with when the catalog publishes its product. */
  INITIAL_STOCK: wholeNumber.min(0).max(1_000_000).default(0),
  /** How long stock stays reserved for an order that is neither paid nor cancelled. */
  RESERVATION_TTL_SECONDS: wholeNumber
    .min(1)
    .max(7 * 24 * 3_600)
    .default(900),
  /** How often expired reservations are looked for. */
  RESERVATION_SWEEP_INTERVAL_MS: wholeNumber.min(10).max(3_600_000).default(5_000),
});

export type InventoryConfig = z.output<typeof inventoryConfigSchema>;

/** Provider token of the parsed InventoryConfig. */
export const INVENTORY_CONFIG = Symbol('InventoryConfig');
