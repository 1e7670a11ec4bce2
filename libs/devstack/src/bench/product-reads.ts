import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { freePort } from '@storefront/testing';
import type { TestStack } from '../test-stack';

/*
 * The product-read figures of issue 12, shared by `pnpm bench` and `pnpm bench products`:
 * GET /api/products/{id} through the gateway and GET /products/{id} at the catalog, each against a
 * raw node:http server (a process of its own) answering the same bytes in the same run.
 */

const CONNECTIONS = 16;

/** A raw node:http server serving `body` as JSON, in a process of its own; resolves with its URL. */
async function startRawServer(body: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const script = `
    const body = Buffer.from(process.env.BODY);
    require('node:http').createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
      res.end(body);
    }).listen(${port}, '127.0.0.1', () => console.log('listening'));`;
  const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, BODY: body }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the raw server exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', () => resolve());
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

async function requestsPerSecond(url: string, seconds: number): Promise<number> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result.requests.average;
}

/** `pnpm stack collector` in its own process (the traces' destination); resolves with its endpoint. */
export async function startCollector(): Promise<{ endpoint: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(__dirname, '..', 'cli.js'), 'collector', '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the trace collector exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('trace viewer on')) resolve();
    });
  });
  return { endpoint: `http://127.0.0.1:${port}`, child };
}

export interface ProductReadRates {
  raw: number;
  gateway: number;
  catalog: number;
}

/** Requests per second of the raw server, the gateway and the catalog, one after the other, `seconds` each. */
export async function measureProductReads(stack: TestStack, seconds: number): Promise<ProductReadRates> {
  const page = (await (await stack.api('/api/products?limit=1', {}, null)).json()) as { items: { id: string }[] };
  const id = page.items[0]?.id as string;
  const gatewayUrl = `${stack.gatewayUrl}/api/products/${id}`;
  const catalogUrl = `${stack.service('catalog').url}/products/${id}`;
  const bytes = await (await fetch(gatewayUrl)).text();
  const raw = await startRawServer(bytes);
  try {
    return {
      raw: await requestsPerSecond(raw.url, seconds),
      gateway: await requestsPerSecond(gatewayUrl, seconds),
      catalog: await requestsPerSecond(catalogUrl, seconds),
    };
  } finally {
    raw.child.kill('SIGTERM');
  }
}
