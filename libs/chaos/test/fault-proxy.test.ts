import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { FaultProxy } from '@storefront/chaos';

/** An echo server behind the proxy; each test measures what the fault does to a round trip. */
describe('the fault proxy', () => {
  let echo: Server;
  let proxy: FaultProxy;
  const sockets: Socket[] = [];

  const open = () =>
    new Promise<Socket>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: proxy.port }, () => resolve(socket));
      sockets.push(socket);
    });
  const roundTrip = (socket: Socket, text: string, timeoutMs = 5_000) =>
    new Promise<number>((resolve, reject) => {
      const started = Date.now();
      let received = '';
      const timer = setTimeout(() => reject(new Error(`no echo of ${text} within ${timeoutMs} ms`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        received += chunk.toString();
        if (received.includes(text)) {
          clearTimeout(timer);
          socket.off('data', onData);
          resolve(Date.now() - started);
        }
      };
      socket.on('data', onData);
      socket.write(text);
    });

  beforeAll(async () => {
    echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: (echo.address() as AddressInfo).port });
  });

  afterEach(() => proxy.set({ kind: 'pass' }));

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await proxy.close();
    await new Promise((resolve) => echo.close(resolve));
  });

  it('passes bytes through unchanged', async () => {
    expect(await roundTrip(await open(), 'hello')).toBeLessThan(500);
  });

  it('delays each direction by the latency it is given', async () => {
    const socket = await open();
    proxy.set({ kind: 'latency', ms: 150, jitterMs: 0 });
    expect(await roundTrip(socket, 'late')).toBeGreaterThanOrEqual(290);
  });

  it('holds everything during a partition and delivers it, in order, when it heals', async () => {
    const socket = await open();
    proxy.set({ kind: 'partition' });
    await expect(roundTrip(socket, 'cut', 600)).rejects.toThrow(/no echo/);
    const healed = roundTrip(socket, 'after');
    setTimeout(() => proxy.set({ kind: 'pass' }), 100);
    expect(await healed).toBeLessThan(2_000);
  });

  it('lets a new connection hang during a partition until it heals', async () => {
    proxy.set({ kind: 'partition' });
    const socket = await open();
    await expect(roundTrip(socket, 'syn', 400)).rejects.toThrow(/no echo/);
    proxy.set({ kind: 'pass' });
    expect(await roundTrip(socket, 'ack')).toBeLessThan(1_000);
  });

  it('turns loss into retransmission stalls: everything arrives, later', async () => {
    const socket = await open();
    proxy.set({ kind: 'loss', rate: 1 });
    // Lost every time up to the retransmission limit, each way: 0.2 + 0.4 + 0.8 + 1.6 + 3.2 + 3.2 s.
    const stalled = await roundTrip(socket, 'lossy', 30_000);
    expect(stalled).toBeGreaterThanOrEqual(2 * 9_400);
  }, 40_000);
});
