import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, register } from 'prom-client';
import { sendProblem, toProblem, type TokenVerifier } from '@storefront/service-kit';
import { RateLimitedError } from '../resilience/resilience.errors';

export interface TokenBucketOptions {
  /** Requests a client may make at once (the bucket's size). */
  readonly burst: number;
  /** Tokens added back per second. */
  readonly perSecond: number;
  /** Buckets kept at most; the least recently used one is dropped for a new one. */
  readonly maxBuckets?: number;
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
 * a global quota would keep its buckets in Redis. At most `maxBuckets` are kept (least recently
 * used first out), so a flood of new clients costs bounded memory; a dropped client starts full.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly maxBuckets: number;

  constructor(private readonly options: TokenBucketOptions) {
    this.now = options.now ?? Date.now;
    this.maxBuckets = options.maxBuckets ?? Number.POSITIVE_INFINITY;
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
    // Re-inserted, so the Map's order is the order of last use and its first key the least recent.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value as string);
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
 * The client a request counts against: the subject of its bearer token once the token is verified,
 * else its address (`request.ip`, which believes X-Forwarded-For only from TRUST_PROXY). An unverified
 * token counts against the address, so made-up subjects buy no budget and cannot spend a real
 * customer's. The verification is the one the auth guard uses afterwards (TokenVerifier.verifyRequest).
 */
async function clientOf(request: FastifyRequest, verifier: TokenVerifier): Promise<string> {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization !== '') {
    const principal = await verifier.verifyRequest(request, authorization).catch(() => undefined);
    if (principal) return `sub:${principal.subject}`;
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

/** Buckets of every limiter of this process (one per gateway app). */
const limiters = new Set<TokenBucketLimiter>();
function registerBucketGauge(): void {
  const name = 'storefront_rate_limit_buckets';
  if (register.getSingleMetric(name)) return;
  new Gauge({
    name,
    help: 'Token buckets the gateway rate limiter keeps in memory (bounded by RATE_LIMIT_MAX_BUCKETS)',
    collect() {
      this.set([...limiters].reduce((sum, limiter) => sum + limiter.size, 0));
    },
  });
}

/**
 * Limits every API route per client and route before the body is read; health, metrics and docs are
 * exempt. 429 problem+json with Retry-After when empty.
 */
export function registerRateLimit(fastify: FastifyInstance, verifier: TokenVerifier, options: TokenBucketOptions): TokenBucketLimiter {
  const limiter = new TokenBucketLimiter(options);
  const rejected = rejectedCounter();
  limiters.add(limiter);
  registerBucketGauge();
  const sweeper = setInterval(() => limiter.sweep(), 30_000);
  sweeper.unref();
  fastify.addHook('onClose', (_instance, done) => {
    clearInterval(sweeper);
    limiters.delete(limiter);
    done();
  });
  fastify.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url ?? '(unmatched)';
    if (!route.startsWith('/api')) return;
    const result = limiter.take(`${await clientOf(request, verifier)} ${request.method} ${route}`);
    void reply.header('ratelimit-limit', String(options.burst));
    if (result.allowed) {
      void reply.header('ratelimit-remaining', String(result.remaining));
      return;
    }
    rejected.inc({ route: `${request.method} ${route}` });
    void reply.header('ratelimit-remaining', '0').header('retry-after', String(result.retryAfterSeconds));
    sendProblem(request, reply, toProblem(new RateLimitedError(result.retryAfterSeconds)));
    return reply;
  });
  return limiter;
}
