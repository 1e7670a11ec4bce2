import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DevIssuer } from '@storefront/devstack';
import { testIssuer } from '@storefront/devstack/testing';
import { createServiceApp, parseConfig } from '@storefront/service-kit';
import { freePort } from '@storefront/testing';
import { gatewayApp } from '../src/app';
import { gatewayConfigSchema } from '../src/config';

const BURST = 5;
const MAX_BUCKETS = 20;

/** The real gateway application in-process, with a small budget per client and route. */
describe('gateway rate limit', () => {
  const apps: NestFastifyApplication[] = [];
  let url: string;
  let forger: DevIssuer;

  const start = async (env: Record<string, string> = {}) => {
    const issuer = await testIssuer();
    const port = await freePort();
    const dead = `127.0.0.1:${await freePort()}`; // no downstream is needed to be counted
    const config = parseConfig(gatewayConfigSchema, {
      ...issuer.env(),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      CATALOG_GRPC_URL: dead,
      ORDER_URL: `http://${dead}`,
      RATE_LIMIT_BURST: String(BURST),
      RATE_LIMIT_PER_SECOND: '0.2',
      RATE_LIMIT_MAX_BUCKETS: String(MAX_BUCKETS),
      ...env,
    });
    const app = await createServiceApp(gatewayApp(config));
    await app.listen(port, '127.0.0.1');
    apps.push(app);
    return `http://127.0.0.1:${port}`;
  };

  beforeAll(async () => {
    url = await start();
    // Signs tokens the gateway does not trust: a forger who knows a customer's id.
    forger = await DevIssuer.ephemeral();
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  const get = async (
    path: string,
    options: { subject?: string; forged?: string; headers?: Record<string, string>; base?: string } = {},
  ) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.subject) headers.authorization = `Bearer ${await (await testIssuer()).token({ subject: options.subject })}`;
    if (options.forged) headers.authorization = `Bearer ${await forger.token({ subject: options.forged })}`;
    return fetch(`${options.base ?? url}${path}`, { headers });
  };
  const statuses = async (count: number, request: (index: number) => Promise<Response>) => {
    const seen: number[] = [];
    for (let index = 0; index < count; index++) seen.push((await request(index)).status);
    return seen;
  };
  const bucketsIn = async (base: string) => {
    const metrics = await (await fetch(`${base}/metrics`)).text();
    return Number(/^storefront_rate_limit_buckets (\d+)/m.exec(metrics)?.[1]);
  };
  const randomAddress = () => `10.${[...randomBytes(3)].join('.')}`;

  it('answers the request after the burst with 429 problem+json and Retry-After, per client and route', async () => {
    const first = await statuses(BURST, (i) => get(`/api/orders/00000000-0000-4000-8000-00000000000${i}`, { subject: 'alice' }));
    expect(first).not.toContain(429);

    const limited = await get('/api/orders/00000000-0000-4000-8000-000000000009', { subject: 'alice' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    // One token per 5 s, less what refilled while the burst was sent (a busy machine is slow).
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(5);
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    await expect(limited.json()).resolves.toMatchObject({ status: 429, code: 'EDGE.RATE_LIMITED' });

    // Another client, and the same client on another route, have budgets of their own.
    expect((await get('/api/orders/00000000-0000-4000-8000-000000000009', { subject: 'bob' })).status).not.toBe(429);
    expect((await get('/api/orders', { subject: 'alice' })).status).not.toBe(429);
  });

  it('counts anonymous callers by address, and leaves health and metrics alone', async () => {
    const seen = await statuses(BURST + 1, () => get('/api/categories'));
    expect(seen.slice(0, BURST)).not.toContain(429);
    expect(seen[BURST]).toBe(429);
    for (let i = 0; i <= BURST * 2; i++) expect((await get('/health/live')).status).toBe(200);
  });

  it('counts tokens it cannot verify by address: random subjects buy no budget of their own', async () => {
    const seen = await statuses(BURST + 3, () => get('/api/products', { forged: `sub-${randomBytes(6).toString('hex')}` }));
    expect(seen.slice(0, BURST)).not.toContain(429);
    expect(seen.slice(BURST)).toEqual([429, 429, 429]);
  });

  it('does not let a forged token spend the budget of the customer it names', async () => {
    const forged = await statuses(BURST + 1, () => get('/api/orders', { forged: 'carol' }));
    expect(forged[BURST]).toBe(429);
    expect((await get('/api/orders', { subject: 'carol' })).status).not.toBe(429);
  });

  it('ignores X-Forwarded-For unless proxies are trusted', async () => {
    const seen = await statuses(BURST + 3, () =>
      get('/api/products/00000000-0000-4000-8000-000000000001', { headers: { 'x-forwarded-for': randomAddress() } }),
    );
    expect(seen.slice(BURST)).toEqual([429, 429, 429]);
  });

  it('believes X-Forwarded-For behind TRUST_PROXY hops, and keeps at most RATE_LIMIT_MAX_BUCKETS buckets', async () => {
    await apps.shift()?.close(); // the bucket gauge then counts this app's buckets only
    const proxied = await start({ TRUST_PROXY: '1' });
    const client = randomAddress();
    const one = await statuses(BURST + 1, () => get('/api/categories', { base: proxied, headers: { 'x-forwarded-for': client } }));
    expect(one[BURST]).toBe(429);
    const others = await statuses(MAX_BUCKETS * 3, () =>
      get('/api/categories', { base: proxied, headers: { 'x-forwarded-for': randomAddress() } }),
    );
    expect(others).not.toContain(429);
    expect(await bucketsIn(proxied)).toBeLessThanOrEqual(MAX_BUCKETS);
  });
});
