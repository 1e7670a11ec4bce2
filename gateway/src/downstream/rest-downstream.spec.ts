import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { callHttp } from '@storefront/service-kit';
import { relay } from './rest-downstream';

/** A downstream answering each path with fixed bytes, and a fastify edge relaying its answers. */
describe('relay', () => {
  const ANSWERS: Record<string, { status: number; type: string; body: string }> = {
    // Not as JSON.stringify would write it (spaces, an escaped é): the bytes show whether it was re-serialised.
    '/orders/1': { status: 200, type: 'application/json; charset=utf-8', body: '{ "id": "1", "sku": "caf\\u00e9" }' },
    '/orders/2': {
      status: 404,
      type: 'application/problem+json',
      body: JSON.stringify({ status: 404, code: 'ORDER.NOT_FOUND', instance: '/orders/2', requestId: 'r' }),
    },
    '/orders/3': { status: 204, type: 'application/json', body: '' },
  };
  let downstream: Server;
  let edge: FastifyInstance;

  beforeAll(async () => {
    downstream = createServer((request, response) => {
      const answer = ANSWERS[request.url ?? ''] ?? { status: 500, type: 'text/plain', body: 'no' };
      response.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
    });
    await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}`;
    edge = Fastify();
    edge.get('/api/orders/:id', async (request, reply) =>
      relay(reply, await callHttp(`${base}/orders/${(request.params as { id: string }).id}`, { downstream: 'order', timeoutMs: 2_000 })),
    );
    await edge.ready();
  });

  afterAll(async () => {
    await edge.close();
    const closed = new Promise((resolve) => downstream.close(resolve));
    downstream.closeAllConnections();
    await closed;
  });

  it('passes an answer on as the bytes the service sent, with its status and content type', async () => {
    const answer = await edge.inject({ method: 'GET', url: '/api/orders/1' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.body).toBe(ANSWERS['/orders/1']?.body);
    expect(answer.json()).toEqual({ id: '1', sku: 'café' });
  });

  it('names the client’s own path as a problem’s instance, and keeps an empty answer empty', async () => {
    const problem = await edge.inject({ method: 'GET', url: '/api/orders/2?x=1' });
    expect(problem.statusCode).toBe(404);
    expect(problem.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(problem.json()).toEqual({ status: 404, code: 'ORDER.NOT_FOUND', instance: '/api/orders/2', requestId: 'r' });
    const empty = await edge.inject({ method: 'GET', url: '/api/orders/3' });
    expect(empty.statusCode).toBe(204);
    expect(empty.body).toBe('');
  });
});
