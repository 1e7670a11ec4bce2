import cors from '@fastify/cors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TokenVerifier } from '@storefront/service-kit';
import type { GatewayConfig } from '../config';
import { registerRateLimit } from './rate-limit';
import { registerSecurityHeaders } from './security-headers';

/**
 * What guards the edge before any route runs: the rate limit per verified client (or address) and route, security headers
 * on every response (helmet's, computed once) and CORS for the browser origins in CORS_ORIGINS only (none by default:
 * a template should start closed). The content security policy lets the Swagger UI at /docs run its
 * own inline styles and scripts, and nothing from elsewhere. Body size is capped by BODY_LIMIT_BYTES
 * (413), and errors never carry stack traces (service-kit's problem+json filter).
 */
export async function protectEdge(app: NestFastifyApplication, config: GatewayConfig): Promise<void> {
  registerRateLimit(app.getHttpAdapter().getInstance(), app.get(TokenVerifier), {
    burst: config.RATE_LIMIT_BURST,
    perSecond: config.RATE_LIMIT_PER_SECOND,
    maxBuckets: config.RATE_LIMIT_MAX_BUCKETS,
  });
  registerSecurityHeaders(app.getHttpAdapter().getInstance(), {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  });
  await app.register(cors, {
    origin: config.CORS_ORIGINS.length > 0 ? config.CORS_ORIGINS : false,
    methods: ['GET', 'POST', 'PUT', 'PATCH'],
    allowedHeaders: ['content-type', 'idempotency-key', 'x-request-id', 'authorization'],
    exposedHeaders: [
      'x-request-id',
      'x-trace-id',
      'retry-after',
      'location',
      'idempotent-replayed',
      'ratelimit-limit',
      'ratelimit-remaining',
    ],
    maxAge: 600,
  });
}
