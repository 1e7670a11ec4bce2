import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

/*
 * Ports are picked below the kernel's ephemeral range (Linux: 32768-60999). A port from listen(0)
 * comes from that range, and between our check and the service's own bind any outgoing connection
 * (of this run, or of a test run next to it) may be given the same number. Below the range a port
 * is only taken by someone asking for it by number, so parallel runs rarely collide.
 */
const LOWEST = 20_000;
const HIGHEST = 32_000;
const handedOut = new Set<number>();

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A TCP port nobody listens on right now, and that this process has not handed out before. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = randomInt(LOWEST, HIGHEST);
    if (handedOut.has(port)) continue;
    if ((await canListen(port, '0.0.0.0')) && (await canListen(port, '127.0.0.1'))) {
      handedOut.add(port);
      return port;
    }
  }
  return ephemeralPort();
}
