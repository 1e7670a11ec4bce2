import { sendProblem, toProblem } from '@storefront/service-kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, register } from 'prom-client';
import { RateLimitedError } from '../resilience/resilience.errors';

export interface TokenBucketOptions {
  /** Requests a client may make at once (the bucket's size). */
  readonly burst: number;
  /** Tokens added back per second. */
  readonly perSecond: number;
  /** Clock in ms, for tests. */
  readonly now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets per key, in memory. Written here rather than taken from @fastify/rate-limit, which
 * counts fixed windows (a client can spend two windows' worth at a window edge); a token bucket
 * allows a burst and then a steady rate. Each gateway replica limits on its own: with N replicas
 * behind a load balancer a client gets up to N times the rate, which is fine for abuse protection;
 * a global quota would keep its buckets in Redis.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;

  constructor(private readonly options: TokenBucketOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Takes a token for `key`: `{ allowed: true, remaining }`, or how many seconds until one is free. */
  take(key: string): { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number } {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.options.burst, updatedAt: now };
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.options.perSecond);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens) };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.options.perSecond)) };
  }

  /** Forgets buckets that have refilled completely: an idle client costs no memory. */
  sweep(): void {
    const now = this.now();
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.options.perSecond >= this.options.burst) this.buckets.delete(key);
    }
  }
}

/**
 * The client a request counts against: the `sub` of its bearer token, else its address (X-Forwarded-For
 * is honoured because the gateway trusts its proxy). The token is only decoded here; the auth guard
 * verifies it right after, so a forged subject buys nothing but a 401.
 */
export function clientOf(request: FastifyRequest): string {
  const authorization = request.headers.authorization;
  const payload = typeof authorization === 'string' ? /^Bearer [\w-]+\.([\w-]+)\.[\w-]+$/i.exec(authorization)?.[1] : undefined;
  if (payload && payload.length <= 4096) {
    try {
      const sub = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub;
      if (typeof sub === 'string' && /^[\w-]{1,64}$/.test(sub)) return `sub:${sub}`;
    } catch {
      // not JSON: counted by address
    }
  }
  return `ip:${request.ip}`;
}

function rejectedCounter(): Counter {
  const name = 'storefront_rate_limited_requests_total';
  return (
    (register.getSingleMetric(name) as Counter | undefined) ??
    new Counter({ name, help: 'Requests refused with 429 by the gateway rate limiter', labelNames: ['route'] })
  );
}

/**
 * Limits every API route per client and route before anything else runs (no body is read, no token
 * verified); health, metrics and docs are exempt. 429 problem+json with Retry-After when empty.
 */
export function registerRateLimit(fastify: FastifyInstance, options: TokenBucketOptions): TokenBucketLimiter {
  const limiter = new TokenBucketLimiter(options);
  const rejected = rejectedCounter();
  const sweeper = setInterval(() => limiter.sweep(), 30_000);
  sweeper.unref();
  fastify.addHook('onClose', (_instance, done) => {
    clearInterval(sweeper);
    done();
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url ?? '(unmatched)';
    if (!route.startsWith('/api')) return done();
    const result = limiter.take(`${clientOf(request)} ${request.method} ${route}`);
    void reply.header('ratelimit-limit', String(options.burst));
    if (result.allowed) {
      void reply.header('ratelimit-remaining', String(result.remaining));
      return done();
    }
    rejected.inc({ route: `${request.method} ${route}` });
    void reply.header('ratelimit-remaining', '0').header('retry-after', String(result.retryAfterSeconds));
    sendProblem(request, reply, toProblem(new RateLimitedError(result.retryAfterSeconds)));
  });
  return limiter;
}
