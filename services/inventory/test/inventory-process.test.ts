import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS } from '@storefront/contracts';
import { connectNats, deleteStreams, Namespace } from '@storefront/messaging';
import { createTestDatabase, freePort, runServiceProcess, waitFor, type TestDatabase } from '@storefront/testing';

const SERVICE_DIR = join(__dirname, '..');

const runInventory = (env: NodeJS.ProcessEnv) => runServiceProcess(SERVICE_DIR, env);

/** The built inventory as its own process: what `npm start` and a container run. */
describe('inventory process', () => {
  let database: TestDatabase;
  const namespace = new Namespace(`t${randomBytes(5).toString('hex')}`);
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

  beforeAll(async () => {
    database = await createTestDatabase('inventory_process', join(SERVICE_DIR, 'prisma', 'migrations'));
  });

  afterAll(async () => {
    await database.drop();
    const nc = await connectNats(natsUrl, 'inventory-process-test-cleanup');
    await deleteStreams(await jetstreamManager(nc), namespace, STREAMS);
    await nc.close();
  });

  it('stops at start-up with a message naming each bad variable', async () => {
    const run = runInventory({ INITIAL_STOCK: '-1', RESERVATION_TTL_SECONDS: 'soon', RESERVATION_SWEEP_INTERVAL_MS: '2.5' });
    await expect(run.exit).resolves.toEqual({ code: 1, signal: null });
    expect(run.output()).toMatch(/INITIAL_STOCK: .*got "-1"/);
    expect(run.output()).toMatch(/RESERVATION_TTL_SECONDS: .*got "soon"/);
    expect(run.output()).toMatch(/RESERVATION_SWEEP_INTERVAL_MS: .*got "2.5"/);
    expect(run.output()).toMatch(/DATABASE_URL: .*it is not set/);
  });

  it('drains, stops sweeping and exits 0 on SIGTERM', async () => {
    const httpPort = await freePort();
    const run = runInventory({
      DATABASE_URL: database.url,
      HTTP_PORT: String(httpPort),
      GRPC_PORT: String(await freePort()),
      HOST: '127.0.0.1',
      NATS_URL: natsUrl,
      MESSAGING_NAMESPACE: namespace.prefix,
      RESERVATION_SWEEP_INTERVAL_MS: '20',
    });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${httpPort}/health/ready`).catch(() => undefined))?.ok, {
      timeoutMs: 20_000,
      what: 'inventory ready',
    });

    run.child.kill('SIGTERM');

    await expect(run.exit).resolves.toEqual({ code: 0, signal: null });
    expect(run.output()).not.toMatch(/sweep failed/);
    await expect(fetch(`http://127.0.0.1:${httpPort}/health/live`)).rejects.toThrow();
  });
});
