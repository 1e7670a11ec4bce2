import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, postgresAnswers, waitFor } from '@storefront/testing';
import { resolveNats } from '../infrastructure';
import { startTestStack, type TestStack } from '../test-stack';
import { CpuAccount } from './process-usage';
import { stopOnSignal } from './stop-on-signal';

/*
 * `pnpm bench pg`: what PostgreSQL spends per confirmed order, statement by statement. It starts a
 * PostgreSQL of its own (Debian's binaries, `PG_BIN`, default /usr/lib/postgresql/15/bin) with
 * pg_stat_statements (track = all, so statements run by triggers and functions count too) and
 * track_io_timing, and a nats-server of its own; runs the stack on them as `pnpm bench` does
 * (NODE_ENV=production); warms up; resets the statistics; then runs BENCH_ORDERS orders (200) with
 * BENCH_CLIENTS closed-loop clients (4) through the gateway and prints, per confirmed order:
 *  - each statement's calls, execution and planning time, rows, shared blocks hit/read/dirtied, WAL bytes;
 *  - per database: the statements' time, commits (pg_stat_database.xact_commit) and backends' CPU;
 *  - WAL bytes (pg_current_wal_lsn) and the backends' CPU time in all.
 * BENCH_PG_JSON=<file> writes the same as JSON; BENCH_PG_HOLD_SECONDS keeps the stack and its
 * PostgreSQL that long afterwards, to look at them (EXPLAIN, pg_stat_user_tables). The shared
 * PostgreSQL is not touched.
 */

const ORDERS = Number(process.env.BENCH_ORDERS ?? 200);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const ADDRESS = { name: 'Bench Customer', line1: '1 Benchmark Way', city: 'Berlin', postalCode: '10115', country: 'DE' };
const FINAL = new Set(['confirmed', 'cancelled', 'rejected']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A throw-away PostgreSQL with pg_stat_statements loaded; run as `postgres` when we are root. */
async function startPostgres(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-pg-'));
  const ids =
    process.getuid?.() === 0
      ? {
          uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
          gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
        }
      : {};
  if (ids.uid !== undefined) chownSync(dir, ids.uid, ids.gid);
  const data = join(dir, 'data');
  execFileSync(join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync'], { ...ids, stdio: 'ignore' });
  const port = await freePort();
  const settings = {
    shared_preload_libraries: 'pg_stat_statements',
    'pg_stat_statements.track': 'all',
    'pg_stat_statements.max': '10000',
    track_io_timing: 'on',
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    max_connections: '200',
    shared_buffers: '256MB',
  };
  const args = ['-D', data, '-p', String(port), ...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`])];
  const child: ChildProcess = spawn(join(PG_BIN, 'postgres'), args, { ...ids, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  await waitFor(() => postgresAnswers(url), { timeoutMs: 30_000, intervalMs: 200, what: 'own PostgreSQL' });
  return {
    url,
    pid: child.pid as number,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function placeAndWait(stack: TestStack, token: string, productIds: readonly string[]): Promise<string> {
  const productId = productIds[Math.floor(Math.random() * productIds.length)] as string;
  // Placed and waited for in one request (`?waitFor=final`), as the full benchmark's clients do.
  const placed = await fetch(`${stack.gatewayUrl}/api/orders?waitFor=final`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID(), prefer: 'wait=20' },
    body: JSON.stringify({ lines: [{ productId, quantity: 1 }], paymentToken: 'tok_visa', shippingAddress: ADDRESS }),
  });
  const order = (await placed.json()) as { id?: string; status?: string };
  if (placed.status !== 201 || !order.id) return `http ${placed.status}`;
  let status = order.status ?? '';
  const started = Date.now();
  while (!FINAL.has(status) && Date.now() - started < 60_000) {
    const response = await fetch(`${stack.gatewayUrl}/api/orders/${order.id}?waitFor=final`, {
      headers: { authorization: `Bearer ${token}`, prefer: 'wait=20' },
    });
    status = ((await response.json()) as { status?: string }).status ?? '';
  }
  return status;
}

/** `orders` orders placed by `clients` closed-loop clients; the statuses they ended in. */
async function run(
  stack: TestStack,
  tokens: readonly string[],
  productIds: readonly string[],
  orders: number,
  clients: number,
): Promise<string[]> {
  const outcomes: string[] = [];
  let left = orders;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (left > 0) {
        left -= 1;
        outcomes.push(await placeAndWait(stack, tokens[client % tokens.length] as string, productIds));
      }
    }),
  );
  return outcomes;
}

interface StatementRow {
  datname: string;
  query: string;
  calls: string;
  total_exec_time: number;
  total_plan_time: number;
  rows: string;
  shared_blks_hit: string;
  shared_blks_read: string;
  shared_blks_dirtied: string;
  wal_bytes: string;
}

async function main(): Promise<void> {
  const log = (line: string) => process.stdout.write(`[bench pg] ${line}\n`);
  const postgres = await startPostgres();
  const natsDir = mkdtempSync(join(tmpdir(), 'bench-nats-'));
  const nats = await resolveNats({ own: true, stateDir: natsDir, reservedPorts: new Set() });
  process.env.TEST_DATABASE_URL = postgres.url;
  process.env.NODE_ENV = 'production';
  const admin = new Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  let stack: TestStack | undefined;
  const stopAll = stopOnSignal(async () => {
    await stack?.stop().catch((error: unknown) => console.error('stopping the stack:', error));
    await admin.end();
    await nats.stop();
    rmSync(natsDir, { recursive: true, force: true });
    await postgres.stop();
  });
  try {
    log(`PostgreSQL ${postgres.url}, NATS ${nats.url}; starting the stack…`);
    stack = await startTestStack({
      tracing: { collectorPort: 0 },
      natsUrl: nats.url,
      output: process.env.BENCH_VERBOSE ? undefined : null,
      readyTimeoutMs: 180_000,
      env: { gateway: { RATE_LIMIT_BURST: '1000000', RATE_LIMIT_PER_SECOND: '1000000' }, inventory: { INITIAL_STOCK: '1000000' } },
    });
    const tokens = await Promise.all(Array.from({ length: CLIENTS }, (_, index) => stack!.token({ subject: `bench-${index}` })));
    const page = (await (await stack.api('/api/products?limit=20', {}, null)).json()) as { items: { id: string }[] };
    const productIds = page.items.map((item) => item.id);
    log('warming up…');
    const warmDeadline = Date.now() + 60_000;
    while ((await placeAndWait(stack, tokens[0] as string, productIds)) !== 'confirmed') {
      if (Date.now() > warmDeadline) throw new Error('warm-up orders do not confirm');
      await sleep(500);
    }
    await run(stack, tokens, productIds, 4 * CLIENTS, CLIENTS);

    const databases = stack.services.flatMap((service) => (service.databaseUrl ? [new URL(service.databaseUrl).pathname.slice(1)] : []));
    const backends = async () =>
      (
        await admin.query<{ pid: number; datname: string }>('SELECT pid, datname FROM pg_stat_activity WHERE datname = ANY($1::text[])', [
          databases,
        ])
      ).rows;
    const account = new CpuAccount();
    const track = async (newSinceStart: boolean) => {
      for (const { pid, datname } of await backends()) account.track(datname, [pid], newSinceStart);
    };
    await track(false);
    const commits = async () =>
      new Map(
        (
          await admin.query<{ datname: string; xact_commit: string }>(
            'SELECT datname, xact_commit FROM pg_stat_database WHERE datname = ANY($1::text[])',
            [databases],
          )
        ).rows.map((row) => [row.datname, Number(row.xact_commit)]),
      );
    const walLsn = async () => (await admin.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
    await admin.query('SELECT pg_stat_statements_reset()');
    const commitsBefore = await commits();
    const lsnBefore = await walLsn();
    account.start();
    const sampler = setInterval(
      () =>
        void track(true)
          .then(() => account.sample())
          .catch(() => undefined),
      500,
    );
    log(`${ORDERS} orders, ${CLIENTS} clients…`);
    const started = performance.now();
    const outcomes = await run(stack, tokens, productIds, ORDERS, CLIENTS);
    const seconds = (performance.now() - started) / 1000;
    await sleep(1000); // the last order's trailing work (relay marks, history) settles
    clearInterval(sampler);
    const cpu = account.read();
    const walBytes = Number(
      (await admin.query<{ bytes: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::bigint AS bytes', [lsnBefore]))
        .rows[0]!.bytes,
    );
    const commitsAfter = await commits();
    const statements = (
      await admin.query<StatementRow>(
        `SELECT d.datname, s.query, s.calls, s.total_exec_time, s.total_plan_time, s.rows, s.shared_blks_hit,
                s.shared_blks_read, s.shared_blks_dirtied, s.wal_bytes
           FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
          WHERE d.datname = ANY($1::text[]) ORDER BY s.total_exec_time + s.total_plan_time DESC`,
        [databases],
      )
    ).rows;
    const confirmed = outcomes.filter((status) => status === 'confirmed').length;
    const per = (value: number | string, digits = 1) => Number((Number(value) / confirmed).toFixed(digits));
    const service = (datname: string) => datname.replace(/^test_\d+_[0-9a-f]+_/, '');
    log(`${confirmed} of ${outcomes.length} confirmed in ${seconds.toFixed(1)} s (${(confirmed / seconds).toFixed(1)} /s)`);

    const byDatabase = databases.map((datname) => {
      const own = statements.filter((row) => row.datname === datname);
      return {
        database: service(datname),
        'backend CPU ms': per(cpu[datname] ?? 0, 2),
        'statement ms': per(own.reduce((sum, row) => sum + row.total_exec_time + row.total_plan_time, 0) / 1, 2),
        statements: per(own.reduce((sum, row) => sum + Number(row.calls), 0)),
        commits: per((commitsAfter.get(datname) ?? 0) - (commitsBefore.get(datname) ?? 0)),
        'WAL kB': per(own.reduce((sum, row) => sum + Number(row.wal_bytes), 0) / 1024, 2),
      };
    });
    const top = statements.slice(0, Number(process.env.BENCH_PG_TOP ?? 40)).map((row) => ({
      db: service(row.datname),
      calls: per(row.calls, 2),
      'exec µs': per(row.total_exec_time * 1000, 0),
      'plan µs': per(row.total_plan_time * 1000, 0),
      rows: per(row.rows, 2),
      hit: per(row.shared_blks_hit),
      read: per(row.shared_blks_read),
      dirtied: per(row.shared_blks_dirtied),
      'WAL B': per(row.wal_bytes, 0),
      query: row.query.replace(/\s+/g, ' ').slice(0, Number(process.env.BENCH_PG_QUERY_CHARS ?? 160)),
    }));
    const totalCpu = Object.values(cpu).reduce((sum, value) => sum + value, 0);
    log(
      `per confirmed order: PostgreSQL backends ${per(totalCpu, 2)} ms CPU, WAL ${per(walBytes / 1024, 2)} kB (all databases, with the relay's polls and the idle work of the run)`,
    );
    console.table(byDatabase);
    console.table(top);
    if (process.env.BENCH_PG_JSON) {
      writeFileSync(
        process.env.BENCH_PG_JSON,
        JSON.stringify(
          { confirmed, seconds, backendCpuMsPerOrder: per(totalCpu, 2), walBytesPerOrder: per(walBytes, 0), byDatabase, statements: top },
          null,
          2,
        ),
      );
    }
    const hold = Number(process.env.BENCH_PG_HOLD_SECONDS ?? 0);
    if (hold > 0) {
      log(`holding the stack ${hold} s: ${databases.map((datname) => postgres.url.replace(/\/postgres$/, `/${datname}`)).join(' ')}`);
      await sleep(hold * 1000);
    }
  } finally {
    await stopAll();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
