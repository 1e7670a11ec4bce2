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
      response.setHeader('content-type', 'application/json').end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('passes the caller’s x-canary on, so the mesh routes the whole request path to canaries', async () => {
    const context = { requestId: 'r1', correlationId: 'r1', causationId: 'r1', canary: 'always' };
    await requestContext.run(context, () => callHttp(`${url}/orders`, { downstream: 'order', timeoutMs: 2_000 }));
    await requestContext.run({ ...context, canary: undefined }, () => callHttp(`${url}/orders`, { downstream: 'order', timeoutMs: 2_000 }));
    expect(seen.map((headers) => headers[CANARY_HEADER])).toEqual(['always', undefined]);
  });
});
