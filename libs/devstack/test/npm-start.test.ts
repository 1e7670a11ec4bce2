import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@storefront/testing';
import { REPO_ROOT } from '../src';

async function waitForOutput(read: () => string, text: string, timeoutMs: number, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !read().includes(text) && !exited()) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * `npm start`'s own process (the stack CLI), with an embedded PostgreSQL and an own nats-server even
 * though local ones answer: the path a machine without them takes.
 */
describe('the local stack with its own infrastructure', () => {
  let cli: ChildProcess | undefined;
  let stateDir: string;
  let output = '';

  afterAll(() => {
    if (cli && cli.exitCode === null) process.kill(-(cli.pid as number), 'SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts everything, serves products, and on Ctrl-C leaves nothing listening', async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'sf-stack-'));
    const ports = {
      PORT: await freePort(),
      CATALOG_HTTP_PORT: await freePort(),
      CATALOG_GRPC_PORT: await freePort(),
      INVENTORY_HTTP_PORT: await freePort(),
      INVENTORY_GRPC_PORT: await freePort(),
      ORDER_HTTP_PORT: await freePort(),
      PAYMENT_HTTP_PORT: await freePort(),
      TRACES_PORT: await freePort(),
    };
    const env: NodeJS.ProcessEnv = { ...process.env, STOREFRONT_STATE_DIR: stateDir };
    for (const [name, port] of Object.entries(ports)) env[name] = String(port);
    delete env.DATABASE_URL;
    delete env.NATS_URL;
    delete env.OTEL_EXPORTER_OTLP_ENDPOINT;

    // Its own process group, so a signal to the group is what a terminal's Ctrl-C sends.
    cli = spawn(process.execPath, [join(REPO_ROOT, 'libs/devstack/dist/cli.js'), 'up', '--own-infra'], {
      cwd: REPO_ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cli.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    cli.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => cli?.once('exit', (code) => resolve(code)));

    await waitForOutput(
      () => output,
      'Storefront is ready',
      120_000,
      () => cli?.exitCode !== null,
    );
    expect(output).toContain('Storefront is ready');
    const postgresPort = Number(/embedded PostgreSQL on 127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    const natsPort = Number(/own nats-server on 127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    expect(postgresPort).toBeGreaterThan(0);
    expect(natsPort).toBeGreaterThan(0);
    expect(output).toMatch(new RegExp(`gateway\\s+${ports.PORT}\\s+ready`));

    const response = await fetch(`http://127.0.0.1:${ports.PORT}/api/products?limit=5`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { items: unknown[] }).items).toHaveLength(5);
    expect(output).toContain(`Traces:     http://localhost:${ports.TRACES_PORT}`);
    // The request's trace reaches the stack's viewer (spans leave in batches, every half second).
    const traceId = response.headers.get('x-trace-id') ?? '';
    await waitFor(async () => (await fetch(`http://127.0.0.1:${ports.TRACES_PORT}/api/traces/${traceId}`)).ok, {
      timeoutMs: 10_000,
      what: `trace ${traceId} in the viewer`,
    });

    process.kill(-(cli.pid as number), 'SIGINT');
    await expect(exited).resolves.toBe(0);

    for (const port of [...Object.values(ports), postgresPort, natsPort]) {
      await expect(portAnswers(port)).resolves.toBe(false);
    }
    expect(output).toContain('nothing left running');
    expect(output).not.toContain('exited unexpectedly');
    // Readiness alone may take its 120 s on a busy machine (embedded PostgreSQL's first initdb included).
  }, 180_000);
});
