import { baseConfigSchema } from '@storefront/service-kit';
import { z } from 'zod';

const grpcAddress = z
  .string()
  .regex(/^[\w.-]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:50051');

export const gatewayConfigSchema = baseConfigSchema
  .omit({ HTTP_PORT: true })
  .extend({
    PORT: baseConfigSchema.shape.HTTP_PORT.default(8080),
    CATALOG_GRPC_URL: grpcAddress.default('127.0.0.1:50051'),
    ORDER_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('http://127.0.0.1:3003'),
    /** Deadline of every downstream call; a slower answer becomes a 504. */
    DOWNSTREAM_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2_000),
  })
  .transform((config) => ({ ...config, HTTP_PORT: config.PORT }));

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
export const GATEWAY_CONFIG = Symbol('GatewayConfig');
