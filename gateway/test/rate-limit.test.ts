import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { testIssuer } from '@storefront/devstack';
import { createServiceApp, parseConfig } from '@storefront/service-kit';
import { freePort } from '@storefront/testing';
import { gatewayApp } from '../src/app';
import { gatewayConfigSchema } from '../src/config';

const BURST = 5;

/** The real gateway application in-process, with a small budget per client and route. */
describe('gateway rate limit', () => {
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
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
    });
    app = await createServiceApp(gatewayApp(config));
    await app.listen(port, '127.0.0.1');
    url = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await app?.close();
  });

  const get = async (path: string, subject?: string) => {
    const headers: Record<string, string> = {};
    if (subject) headers.authorization = `Bearer ${await (await testIssuer()).token({ subject })}`;
    return fetch(`${url}${path}`, { headers });
  };

  it('answers the request after the burst with 429 problem+json and Retry-After, per client and route', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < BURST; i++) statuses.push((await get(`/api/orders/00000000-0000-4000-8000-00000000000${i}`, 'alice')).status);
    expect(statuses).not.toContain(429);

    const limited = await get('/api/orders/00000000-0000-4000-8000-000000000009', 'alice');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBe(5); // one token per 5 s
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    await expect(limited.json()).resolves.toMatchObject({ status: 429, code: 'EDGE.RATE_LIMITED' });

    // Another client, and the same client on another route, have budgets of their own.
    expect((await get('/api/orders/00000000-0000-4000-8000-000000000009', 'bob')).status).not.toBe(429);
    expect((await get('/api/orders', 'alice')).status).not.toBe(429);
  });

  it('counts anonymous callers by address, and leaves health and metrics alone', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= BURST; i++) statuses.push((await get('/api/categories')).status);
    expect(statuses.slice(0, BURST)).not.toContain(429);
    expect(statuses[BURST]).toBe(429);
    for (let i = 0; i <= BURST * 2; i++) expect((await get('/health/live')).status).toBe(200);
  });
});
