import { isIP } from 'node:net';
import { z } from 'zod';
import { natsConfigSchema } from '@storefront/messaging';
import { baseConfigSchema } from '@storefront/service-kit';

/** An address or CIDR block, IPv4 or IPv6: 10.0.0.0/8, 127.0.0.1, fd00::/8. */
function isAddressOrBlock(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** false (trust no proxy), a number of hops, or the addresses/CIDRs of trusted proxies. */
const trustProxy = z
  .string()
  .trim()
  .default('')
  .transform((value, context): false | number | string[] => {
    if (value === '' || value === '0') return false;
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    const bad = entries.filter((entry) => !isAddressOrBlock(entry));
    if (bad.length > 0) {
      context.addIssue({
        code: 'custom',
        message: `must be a number of hops or addresses/CIDRs such as 10.0.0.0/8; not ${bad.join(', ')}`,
      });
      return z.NEVER;
    }
    return entries;
  });

const grpcAddress = z.string().regex(/^[\w.-]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:50051');

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const gatewayConfigSchema = baseConfigSchema
  .omit({ HTTP_PORT: true })
  .extend({
    PORT: baseConfigSchema.shape.HTTP_PORT.default(8080),
    CATALOG_GRPC_URL: grpcAddress.default('127.0.0.1:50051'),
    ORDER_URL: httpUrl.default('http://127.0.0.1:3003'),
    /** Admin routes (restock) and the ordering health check. */
    INVENTORY_URL: httpUrl.default('http://127.0.0.1:3002'),
    /** Where the catalog's product events and inventory's stock changes come from (they invalidate the product read view). */
    NATS_URL: natsConfigSchema.shape.NATS_URL,
    MESSAGING_NAMESPACE: natsConfigSchema.shape.MESSAGING_NAMESPACE,
    /** Product pages the gateway keeps in memory (least recently read out first); 0 asks the catalog every time. */
    PRODUCT_VIEW_MAX_ENTRIES: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
    /** How long a kept product page may be served without an event dropping it: the bound on staleness if events stop. */
    PRODUCT_VIEW_TTL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
    /** Admin routes (provider settings) and the ordering health check. */
    PAYMENT_URL: httpUrl.default('http://127.0.0.1:3004'),
    /** How long a health check of inventory and payment counts before ordering asks again. */
    ORDERING_READINESS_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
    /** Token bucket per client and route: requests at once, and tokens added back per second. */
    RATE_LIMIT_BURST: z.coerce.number().int().min(1).max(1_000_000).default(60),
    RATE_LIMIT_PER_SECOND: z.coerce.number().positive().max(1_000_000).default(20),
    /** Buckets kept at most; beyond, the least recently used client's is dropped (it starts full again). */
    RATE_LIMIT_MAX_BUCKETS: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
    /**
     * Proxies whose X-Forwarded-For names the client (for the rate limit and logs): empty trusts none,
     * a number trusts that many hops in front of the gateway, a list trusts those addresses/CIDRs.
     */
    TRUST_PROXY: trustProxy,
    /** Largest accepted request body in bytes; larger ones get 413. */
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1_024)
      .max(10 * 1024 * 1024)
      .default(64 * 1024),
    /** Browser origins allowed to call the API (comma-separated); empty allows none. */
    CORS_ORIGINS: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((origin) => origin.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.url({ protocol: /^https?$/, error: 'must be http(s) origins such as https://shop.example' }))),
    /** Deadline of every downstream call; a slower answer becomes a 504. */
    DOWNSTREAM_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2_000),
    /** Calls in flight per downstream; more wait in a queue of DOWNSTREAM_MAX_QUEUED, then get a 503. */
    DOWNSTREAM_MAX_CONCURRENT: z.coerce.number().int().min(1).max(10_000).default(50),
    DOWNSTREAM_MAX_QUEUED: z.coerce.number().int().min(0).max(100_000).default(100),
    /** Long-polls (GET /api/orders/{id}?waitFor=…) in flight per downstream; beyond it, 503. */
    DOWNSTREAM_MAX_WAITING: z.coerce.number().int().min(1).max(100_000).default(2_000),
    /** Consecutive unavailable/timeout failures of a downstream that open its circuit. */
    CIRCUIT_BREAKER_THRESHOLD: z.coerce.number().int().min(1).max(1_000).default(5),
    /** How long an open circuit refuses calls before it lets one trial call through. */
    CIRCUIT_BREAKER_RESET_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  })
  .transform((config) => ({ ...config, HTTP_PORT: config.PORT }));

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
export const GATEWAY_CONFIG = Symbol('GatewayConfig');
