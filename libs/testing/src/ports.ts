import { randomInt } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * Ports for tests, safe across test runs side by side on one machine.
 *
 * - Below the kernel's ephemeral range (Linux: 32768-60999): a port from listen(0) comes from that
 *   range, where any outgoing connection may be given it between our check and the service's bind.
 * - Claimed with a lock file (created exclusively in a directory shared by every run): two runs
 *   that pick the same number at once cannot both get it, although the check happens seconds before
 *   the service binds. Claims are released when the process exits; a claim older than CLAIM_TTL_MS
 *   may be taken over (its run was killed, or its service bound the port long ago, which a new
 *   check then sees).
 *
 * No library does this across processes (get-port only remembers its own), hence these few lines.
 */
const LOWEST = 20_000;
const HIGHEST = 32_000;
const CLAIM_TTL_MS = 5 * 60_000;
const CLAIMS_DIR = join(tmpdir(), 'storefront-test-ports');
const claimed = new Set<string>();
let cleanupRegistered = false;

/** Whether a TCP port can be bound on `host` now (nothing listens there). */
export function isPortFree(port: number, host = '0.0.0.0'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

function claim(port: number): boolean {
  mkdirSync(CLAIMS_DIR, { recursive: true });
  const file = join(CLAIMS_DIR, String(port));
  try {
    closeSync(openSync(file, 'wx'));
  } catch {
    try {
      if (Date.now() - statSync(file).mtimeMs < CLAIM_TTL_MS) return false;
      rmSync(file, { force: true });
      closeSync(openSync(file, 'wx'));
    } catch {
      return false;
    }
  }
  claimed.add(file);
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    process.once('exit', () => {
      for (const path of claimed) rmSync(path, { force: true });
    });
  }
  return true;
}

/** A TCP port nobody listens on now and no other test process has claimed. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = randomInt(LOWEST, HIGHEST);
    if (!claim(port)) continue;
    if ((await isPortFree(port, '0.0.0.0')) && (await isPortFree(port, '127.0.0.1'))) return port;
  }
  throw new Error(`no free port between ${LOWEST} and ${HIGHEST} after 200 tries`);
}
