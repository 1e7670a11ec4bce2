import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { GatewayConfig } from '../config';

/**
 * Security headers on every response (helmet) and CORS for the browser origins in CORS_ORIGINS only
 * (none by default: a template should start closed). The content security policy lets the Swagger
 * UI at /docs run its own inline styles and scripts, and nothing from elsewhere.
 */
export async function protectEdge(app: NestFastifyApplication, config: GatewayConfig): Promise<void> {
  await app.register(helmet, {
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
    methods: ['GET', 'POST', 'PATCH'],
    allowedHeaders: ['content-type', 'idempotency-key', 'x-request-id', 'authorization'],
    exposedHeaders: ['x-request-id', 'retry-after', 'location', 'idempotent-replayed'],
    maxAge: 600,
  });
}
