import { baseConfigSchema, databaseConfigSchema, grpcServerConfigSchema, natsConfigSchema } from '@storefront/service-kit';
import type { z } from 'zod';

export const catalogConfigSchema = baseConfigSchema.extend({
  HTTP_PORT: baseConfigSchema.shape.HTTP_PORT.default(3001),
  GRPC_PORT: grpcServerConfigSchema.shape.GRPC_PORT.default(50051),
  ...databaseConfigSchema.shape,
  ...natsConfigSchema.shape,
});

export type CatalogConfig = z.output<typeof catalogConfigSchema>;
