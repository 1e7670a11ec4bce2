import Fastify, { type FastifyInstance } from 'fastify';
import { representationOf, sendRepresentation, serveFromMemory, type Representation } from './representation';

describe('serveFromMemory and sendRepresentation', () => {
  let app: FastifyInstance;
  const kept = new Map<string, Representation>();
  let handled = 0;

  beforeAll(async () => {
    app = Fastify();
    app.addHook('onRequest', (_request, reply, done) => {
      void reply.header('x-edge', 'yes'); // stands for the hooks every response passes (security headers, request id)
      done();
    });
    app.get('/things/:id', (request, reply) => {
      handled += 1;
      const { id } = request.params as { id: string };
      const representation = representationOf({ id, name: `thing ${id}` });
      kept.set(id, representation);
      return sendRepresentation(request, reply, representation, 'public, no-cache');
    });
    serveFromMemory(app, '/things/:id', (request) => kept.get((request.params as { id: string }).id), 'public, no-cache');
    await app.ready();
  });

  afterAll(() => app.close());

  it('answers a kept representation without the handler, with the bytes and headers of a miss', async () => {
    const miss = await app.inject('/things/1');
    const hit = await app.inject('/things/1');
    expect(handled).toBe(1);
    expect(hit.body).toBe(miss.body);
    expect(JSON.parse(hit.body)).toEqual({ id: '1', name: 'thing 1' });
    for (const header of ['content-type', 'etag', 'cache-control', 'x-edge', 'content-length']) {
      expect([header, hit.headers[header]]).toEqual([header, miss.headers[header]]);
    }
    expect(hit.headers.etag).toMatch(/^"[\w-]+"$/);
  });

  it('answers 304 without a body when If-None-Match names the ETag, hit or miss', async () => {
    const { etag } = (await app.inject('/things/2')).headers;
    for (const ifNoneMatch of [String(etag), `"other", ${String(etag)}`, `W/${String(etag)}`, '*']) {
      const response = await app.inject({ url: '/things/2', headers: { 'if-none-match': ifNoneMatch } });
      expect([ifNoneMatch, response.statusCode, response.body]).toEqual([ifNoneMatch, 304, '']);
      expect(response.headers.etag).toBe(etag);
    }
    kept.delete('3');
    const first = await app.inject({ url: '/things/3', headers: { 'if-none-match': representationOf({ id: '3', name: 'thing 3' }).etag } });
    expect(first.statusCode).toBe(304);
  });

  it('answers 200 when the ETag differs', async () => {
    const response = await app.inject({ url: '/things/4', headers: { 'if-none-match': '"stale"' } });
    expect(response.statusCode).toBe(200);
  });
});
