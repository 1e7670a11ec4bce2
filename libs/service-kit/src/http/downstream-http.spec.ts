import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CANARY_HEADER, requestContext } from '../context/request-context';
import { callHttp } from './downstream-http';

describe('callHttp', () => {
  let server: Server;
  let url: string;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.headers);
      if (request.url === '/slow') return void setTimeout(() => response.end('{}'), 300).unref();
      if (request.url === '/cut') {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' }).write('{"partial":');
        return void setTimeout(() => response.destroy(), 20);
      }
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () =>
        response
          .writeHead(request.method === 'POST' ? 201 : 200, {
            'content-type': 'application/json',
            location: '/orders/1',
            'set-cookie': ['a=1', 'b=2'],
          })
          .end(JSON.stringify({ method: request.method, body: body ? (JSON.parse(body) as unknown) : null })),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections(); // the kept-alive ones too
    await closed;
  });

  it('passes the caller’s x-canary on, so the mesh routes the whole request path to canaries', async () => {
    const context = { requestId: 'r1', correlationId: 'r1', causationId: 'r1', canary: 'always' };
    await requestContext.run(context, () => callHttp(`${url}/orders`, { downstream: 'order', timeoutMs: 2_000 }));
    await requestContext.run({ ...context, canary: undefined }, () => callHttp(`${url}/orders`, { downstream: 'order', timeoutMs: 2_000 }));
    expect(seen.map((headers) => headers[CANARY_HEADER])).toEqual(['always', undefined]);
  });

  it('sends the body as JSON and returns status, headers and the parsed answer', async () => {
    const answer = await callHttp(`${url}/orders`, { downstream: 'order', timeoutMs: 2_000, method: 'POST', body: { sku: 'é' } });
    expect(answer).toMatchObject({ status: 201, contentType: 'application/json', body: { method: 'POST', body: { sku: 'é' } } });
    expect(answer.headers.get('Location')).toBe('/orders/1');
    expect(answer.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(answer.headers.get('retry-after')).toBeNull();
    // The bytes as sent too, for a caller that passes them on without parsing them again.
    expect(answer.text).toBe(JSON.stringify({ method: 'POST', body: { sku: 'é' } }));
  });

  it('turns a downstream too slow into DOWNSTREAM.TIMEOUT, a cut answer or no server into DOWNSTREAM.UNAVAILABLE', async () => {
    await expect(callHttp(`${url}/slow`, { downstream: 'order', timeoutMs: 100 })).rejects.toMatchObject({ code: 'DOWNSTREAM.TIMEOUT' });
    await expect(callHttp(`${url}/cut`, { downstream: 'order', timeoutMs: 2_000 })).rejects.toMatchObject({
      code: 'DOWNSTREAM.UNAVAILABLE',
    });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(callHttp(`http://127.0.0.1:${port}/orders`, { downstream: 'order', timeoutMs: 2_000 })).rejects.toMatchObject({
      code: 'DOWNSTREAM.UNAVAILABLE',
    });
  });
});
