import { join } from 'node:path';
import { createTestDatabase, freePort, runServiceProcess, waitFor, type TestDatabase } from '@storefront/testing';

const SERVICE_DIR = join(__dirname, '..');

const runCatalog = (env: NodeJS.ProcessEnv) => runServiceProcess(SERVICE_DIR, env);

/** The built catalog as its own process: what `npm start` and a container run. */
describe('catalog process', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('catalog_process', join(SERVICE_DIR, 'prisma', 'migrations'));
  });

  afterAll(async () => {
    await database.drop();
  });

  it('stops at start-up with a message naming each bad variable', async () => {
    const run = runCatalog({ HTTP_PORT: 'http', GRPC_PORT: '50051' });
    await expect(run.exit).resolves.toEqual({ code: 1, signal: null });
    expect(run.output()).toMatch(/HTTP_PORT: .*got "http"/);
    expect(run.output()).toMatch(/DATABASE_URL: .*it is not set/);
  });

  it('drains and exits 0 on SIGTERM', async () => {
    const httpPort = await freePort();
    const run = runCatalog({
      DATABASE_URL: database.url,
      HTTP_PORT: String(httpPort),
      GRPC_PORT: String(await freePort()),
      HOST: '127.0.0.1',
    });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${httpPort}/health/ready`).catch(() => undefined))?.ok, {
      timeoutMs: 20_000,
      what: 'catalog ready',
    });

    run.child.kill('SIGTERM');

    await expect(run.exit).resolves.toEqual({ code: 0, signal: null });
    expect(run.output()).toMatch(/catalog stopped in \d+ ms/);
    await expect(fetch(`http://127.0.0.1:${httpPort}/health/live`)).rejects.toThrow();
  });
});
