import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { resolveNats } from '../infrastructure';
import { nodeFlagsOf, PROCESS_ENV } from '../services';
import { REPO_ROOT } from '../stack';
import { startTestStack, type TestStack } from '../test-stack';
import { CpuAccount, readMemory } from './process-usage';
import { measureProductReads, startCollector } from './product-reads';
import { stopOnSignal } from './stop-on-signal';

/*
 * `pnpm bench`: every throughput and footprint figure of issue 12 in one table, with its target,
 * written to bench-results.json. The whole stack runs as shipped for production (NODE_ENV=production,
 * traces exported over OTLP to a collector process of the benchmark's own) on the local PostgreSQL,
 * with a nats-server of its own so that its CPU time is ours alone. It measures:
 *  - orders: closed-loop clients (each places an order and waits for its final status through the
 *    gateway, in one request: `POST /api/orders?waitFor=final`, item 54), every
 *    step of 2 to 64 clients; the knee is the best step's confirmed orders/s. Every step runs, whatever
 *    the rates: a search that stopped when a step rose by less than a tenth ended at 4 clients when one
 *    step was slow on this shared machine, and its CPU per order then averaged two light steps
 *    (docs/bench.md, item 52). CPU per confirmed order is the CPU time of every stack process (the
 *    five Node processes, this stack's PostgreSQL backends, nats-server) over the steps, divided by
 *    the orders confirmed in them; and the same net of what the idle stack uses per second (measured
 *    for 5 s before), which dominates when few orders pass. Each step's own figure is printed too.
 *  - p95 place → confirmed at half the knee rate (open loop, fixed arrival rate).
 *  - GET /api/products/{id} through the gateway and at catalog directly, each as a share of a raw
 *    node:http server (its own process) serving the same bytes in the same run.
 *  - the event backbone (`pnpm bench messaging`): saturation and p99 lag at 100 events/s.
 *  - the sum of the Node processes' RSS after all of it.
 * Every process it started is stopped, its databases and streams removed.
 *   BENCH_STEP_SECONDS (per knee step, default 10), BENCH_SECONDS (other phases, default 10),
 *   BENCH_CPU_PROFILE (a directory: V8 CPU profiles of every Node process of the stack),
 *   BENCH_NODE_FLAGS (Node flags after the services' own, space-separated: an A/B of a flag)
 */

const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CLIENT_STEPS = [2, 4, 8, 16, 32, 64];
/** Without long-poll, how often a client asks again. */
const POLL_INTERVAL_MS = 200;
const RESULTS_FILE = join(REPO_ROOT, 'bench-results.json');

const ADDRESS = { name: 'Bench Customer', line1: '1 Benchmark Way', city: 'Berlin', postalCode: '10115', country: 'DE' };
const FINAL = new Set(['confirmed', 'cancelled', 'rejected']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

interface OrderOutcome {
  status: string;
  latencyMs: number;
}

class OrderDriver {
  private tokens: string[] = [];
  private productIds: string[] = [];
  longPoll = false;

  constructor(private readonly stack: TestStack) {}

  async prepare(): Promise<void> {
    this.tokens = await Promise.all(Array.from({ length: 64 }, (_, index) => this.stack.token({ subject: `bench-${index}` })));
    const page = (await (await this.stack.api('/api/products?limit=20', {}, null)).json()) as { items: { id: string }[] };
    this.productIds = page.items.map((item) => item.id);
    if (this.productIds.length === 0) throw new Error('the catalog has no products');
  }

  /** Places one order and waits for its final status; resolves with it and the time it took. */
  async placeAndWait(client: number): Promise<OrderOutcome> {
    const token = this.tokens[client % this.tokens.length] as string;
    const productId = this.productIds[Math.floor(Math.random() * this.productIds.length)] as string;
    const started = performance.now();
    // Placed and waited for in one request (`?waitFor=final`); a long-poll after it only if the wait ran out.
    const placed = await fetch(`${this.stack.gatewayUrl}/api/orders?waitFor=final`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID(), prefer: 'wait=20' },
      body: JSON.stringify({ lines: [{ productId, quantity: 1 }], paymentToken: 'tok_visa', shippingAddress: ADDRESS }),
    });
    const order = (await placed.json()) as { id?: string; status?: string; code?: string };
    if (placed.status !== 201 || !order.id)
      return { status: `http ${placed.status} ${order.code ?? ''}`, latencyMs: performance.now() - started };
    let status = order.status ?? '';
    this.longPoll ||= placed.headers.has('preference-applied');
    while (!FINAL.has(status)) {
      if (performance.now() - started > 60_000) return { status: 'timeout', latencyMs: performance.now() - started };
      const response = await fetch(`${this.stack.gatewayUrl}/api/orders/${order.id}?waitFor=final`, {
        headers: { authorization: `Bearer ${token}`, prefer: 'wait=20' },
      });
      const body = (await response.json()) as { status?: string; code?: string };
      if (!response.ok) return { status: `http ${response.status} ${body.code ?? ''}`, latencyMs: performance.now() - started };
      status = body.status ?? '';
      this.longPoll ||= response.headers.has('preference-applied');
      if (!FINAL.has(status) && !response.headers.has('preference-applied')) await sleep(POLL_INTERVAL_MS);
    }
    return { status, latencyMs: performance.now() - started };
  }

  /** `clients` closed-loop clients for `seconds`. */
  async closedLoop(clients: number, seconds: number): Promise<OrderOutcome[]> {
    const outcomes: OrderOutcome[] = [];
    const deadline = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        while (performance.now() < deadline) outcomes.push(await this.placeAndWait(client));
      }),
    );
    return outcomes;
  }

  /** Orders arriving at `rate` per second for `seconds`, each waited for. */
  async openLoop(rate: number, seconds: number): Promise<OrderOutcome[]> {
    const inFlight: Promise<OrderOutcome>[] = [];
    const interval = 1000 / rate;
    const started = performance.now();
    let next = started;
    let client = 0;
    while (performance.now() - started < seconds * 1000) {
      inFlight.push(this.placeAndWait(client++));
      next += interval;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
    }
    return Promise.all(inFlight);
  }
}

/** A nats-server of the benchmark's own (as `npm start --own-infra` starts one), so that its CPU time is this stack's alone. */
async function startNats(): Promise<{ url: string; pid: number; stop(): Promise<void>; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-nats-'));
  const nats = await resolveNats({ own: true, stateDir: dir, reservedPorts: new Set() });
  if (nats.pid === undefined) throw new Error('no nats-server process to measure');
  return { url: nats.url, pid: nats.pid, stop: () => nats.stop(), dir };
}

/** The PostgreSQL backends serving this stack's databases, as pids. */
async function backendPids(admin: Client, databases: readonly string[]): Promise<number[]> {
  const result = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = ANY($1::text[])', [databases]);
  return result.rows.map((row) => row.pid);
}

interface MessagingResult {
  'events/s': number;
  'p99 lag ms': number;
}

async function runMessagingBench(natsUrl: string): Promise<{ saturation: number; p99LagMs: number }> {
  const file = join(mkdtempSync(join(tmpdir(), 'bench-msg-')), 'result.json');
  // With the services' Node flags and environment: the pipeline as a service process runs it.
  const child = spawn(process.execPath, [...nodeFlagsOf(), join(REPO_ROOT, 'libs', 'messaging', 'dist', 'bench', 'messaging.bench.js')], {
    env: { ...process.env, ...PROCESS_ENV, BENCH_RATE: '100', BENCH_SECONDS: String(SECONDS), BENCH_JSON: file, NATS_URL: natsUrl },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the messaging benchmark exited with ${code}`);
  const [fixed, saturated] = JSON.parse(readFileSync(file, 'utf8')) as [MessagingResult, MessagingResult];
  rmSync(join(file, '..'), { recursive: true, force: true });
  return { saturation: saturated['events/s'], p99LagMs: fixed['p99 lag ms'] };
}

interface Figure {
  figure: string;
  measured: number;
  unit: string;
  target: number;
  /** Whether more is better. */
  higher: boolean;
}

async function main(): Promise<void> {
  const log = (line: string) => process.stdout.write(`[bench] ${line}\n`);
  log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, load ${loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')}`,
  );
  const collector = await startCollector();
  const nats = await startNats();
  let stack: TestStack | undefined;
  const children: ChildProcess[] = [collector.child];
  const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  const stopAll = stopOnSignal(async () => {
    await stack?.stop().catch((error: unknown) => console.error('stopping the stack:', error));
    await admin.end();
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await nats.stop();
    rmSync(nats.dir, { recursive: true, force: true });
  });
  try {
    log('starting the stack (NODE_ENV=production, traces to the collector, own nats-server)…');
    process.env.NODE_ENV = 'production';
    // BENCH_CPU_PROFILE=<dir>: every Node process writes a V8 CPU profile there when it stops.
    const profiling: Record<string, string> = process.env.BENCH_CPU_PROFILE
      ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`.trim() }
      : {};
    stack = await startTestStack({
      tracing: { endpoint: collector.endpoint },
      natsUrl: nats.url,
      output: process.env.BENCH_VERBOSE ? undefined : null,
      logLevel: 'info',
      // A machine shared with other work can be slow to start five processes.
      readyTimeoutMs: 180_000,
      extraNodeFlags: (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
      env: {
        gateway: { RATE_LIMIT_BURST: '1000000', RATE_LIMIT_PER_SECOND: '1000000', ...profiling },
        inventory: { INITIAL_STOCK: '1000000', ...profiling },
        catalog: profiling,
        order: profiling,
        payment: profiling,
      },
    });
    const databases = stack.services.flatMap((service) => (service.databaseUrl ? [new URL(service.databaseUrl).pathname.slice(1)] : []));
    const account = new CpuAccount();
    for (const service of stack.services) account.track(service.definition.name, [service.process.pid as number]);
    account.track('nats-server', [nats.pid]);
    account.track('postgres', await backendPids(admin, databases));
    const sampler = setInterval(() => {
      void backendPids(admin, databases)
        .then((pids) => account.track('postgres', pids, true))
        .then(() => account.sample())
        .catch(() => undefined);
    }, 500);

    const driver = new OrderDriver(stack);
    await driver.prepare();
    log('warming up (stock rows come from the catalog events)…');
    const warmDeadline = Date.now() + 60_000;
    for (;;) {
      const outcome = await driver.placeAndWait(0);
      if (outcome.status === 'confirmed') break;
      if (Date.now() > warmDeadline) throw new Error(`warm-up orders end ${outcome.status}`);
      await sleep(500);
    }
    await driver.closedLoop(4, 5);
    log(`orders: ${driver.longPoll ? 'placed and waited for in one request (?waitFor=final)' : `polling every ${POLL_INTERVAL_MS} ms`}`);

    // What the stack burns doing nothing (relay polls, sweepers, probes, consumers' pulls): at a
    // few orders per second on a busy machine it is a large part of the CPU per order, so the table
    // shows the figure with and without it.
    const IDLE_SECONDS = 5;
    account.start();
    await sleep(IDLE_SECONDS * 1000);
    const idle = account.read();
    const idleMsPerSecond = Object.values(idle).reduce((sum, value) => sum + value, 0) / IDLE_SECONDS;
    log(
      `idle: ${idleMsPerSecond.toFixed(1)} ms of CPU per second (${Object.entries(idle)
        .map(([k, v]) => `${k} ${(v / IDLE_SECONDS).toFixed(1)}`)
        .join(', ')})`,
    );

    // The knee: every step, the best one's rate.
    account.start();
    const kneeStarted = performance.now();
    let confirmedTotal = 0;
    let cpuBefore = 0;
    const steps: { clients: number; 'confirmed/s': number; 'p50 ms': number; 'p95 ms': number; other: number; 'CPU ms/order': number }[] =
      [];
    for (const clients of CLIENT_STEPS) {
      const started = performance.now();
      const outcomes = await driver.closedLoop(clients, STEP_SECONDS);
      const seconds = (performance.now() - started) / 1000;
      const confirmed = outcomes.filter((outcome) => outcome.status === 'confirmed');
      confirmedTotal += confirmed.length;
      const step = {
        clients,
        'confirmed/s': round(confirmed.length / seconds),
        'p50 ms': Math.round(
          percentile(
            confirmed.map((o) => o.latencyMs),
            50,
          ),
        ),
        'p95 ms': Math.round(
          percentile(
            confirmed.map((o) => o.latencyMs),
            95,
          ),
        ),
        other: outcomes.length - confirmed.length,
        'CPU ms/order': 0,
      };
      const cpuSoFar = Object.values(account.read()).reduce((sum, value) => sum + value, 0);
      step['CPU ms/order'] = round((cpuSoFar - cpuBefore) / Math.max(1, confirmed.length));
      cpuBefore = cpuSoFar;
      steps.push(step);
      log(
        `${clients} clients: ${step['confirmed/s']} confirmed/s, p50 ${step['p50 ms']} ms, p95 ${step['p95 ms']} ms, ${step.other} not confirmed, CPU ${step['CPU ms/order']} ms per order`,
      );
    }
    const cpu = account.read();
    const cpuTotal = Object.values(cpu).reduce((sum, value) => sum + value, 0);
    const cpuPerOrder = cpuTotal / confirmedTotal;
    const kneeSeconds = (performance.now() - kneeStarted) / 1000;
    const netCpuPerOrder = (cpuTotal - idleMsPerSecond * kneeSeconds) / confirmedTotal;
    const knee = Math.max(...steps.map((s) => s['confirmed/s']));
    // The step that reached the knee: the CPU an order costs when the stack is as busy as it gets
    // (the figure above averages every step, the light ones too, where little is batched).
    const kneeStep = steps.find((s) => s['confirmed/s'] === knee);
    log(
      `CPU per confirmed order ${cpuPerOrder.toFixed(1)} ms: ${Object.entries(cpu)
        .map(([k, v]) => `${k} ${(v / confirmedTotal).toFixed(1)}`)
        .join(', ')}`,
    );

    log(`p95 at half the knee (${(knee / 2).toFixed(1)} orders/s, open loop, ${SECONDS} s)…`);
    const half = await driver.openLoop(knee / 2, SECONDS);
    const halfConfirmed = half.filter((outcome) => outcome.status === 'confirmed').map((outcome) => outcome.latencyMs);
    const p95Half = percentile(halfConfirmed, 95);

    log('GET /api/products/{id}: gateway, catalog directly and a raw node:http server with the same bytes…');
    const reads = await measureProductReads(stack, SECONDS);
    const { raw: rawRate, gateway: gatewayRate, catalog: catalogRate } = reads;
    log(`raw ${Math.round(rawRate)} req/s, gateway ${Math.round(gatewayRate)}, catalog ${Math.round(catalogRate)}`);

    clearInterval(sampler);
    const memory = readMemory(Object.fromEntries(stack.services.map((s) => [s.definition.name, s.process.pid as number])));
    const { rssMB, pssMB, rssMBByService: rssByService, memoryMBByService: memoryByService } = memory;
    log(`RSS ${rssMB} MB (${JSON.stringify(rssByService)}); PSS ${pssMB} MB (${JSON.stringify(memoryByService)})`);

    await stack.stop();
    stack = undefined;
    log('event backbone (pnpm bench messaging)…');
    const messaging = await runMessagingBench(nats.url);

    const figures: Figure[] = [
      { figure: 'CPU per confirmed order (all stack processes)', measured: round(cpuPerOrder), unit: 'ms', target: 25, higher: false },
      { figure: '  … net of the idle background', measured: round(netCpuPerOrder), unit: 'ms', target: 25, higher: false },
      {
        figure: `  … at the knee's step (${kneeStep?.clients ?? '?'} clients)`,
        measured: kneeStep?.['CPU ms/order'] ?? Number.NaN,
        unit: 'ms',
        target: 25,
        higher: false,
      },
      { figure: 'Confirmed orders/s at the knee', measured: knee, unit: '/s', target: 60, higher: true },
      { figure: 'p95 place → confirmed at half the knee', measured: Math.round(p95Half), unit: 'ms', target: 250, higher: false },
      {
        figure: 'Gateway GET /api/products/{id} ÷ raw node:http',
        measured: round(gatewayRate / rawRate, 3),
        unit: '',
        target: 0.15,
        higher: true,
      },
      {
        figure: 'Catalog GET /products/{id} ÷ raw node:http',
        measured: round(catalogRate / rawRate, 3),
        unit: '',
        target: 0.25,
        higher: true,
      },
      { figure: 'Event backbone saturation', measured: messaging.saturation, unit: 'ev/s', target: 3000, higher: true },
      { figure: 'Event backbone p99 lag at 100 ev/s', measured: messaging.p99LagMs, unit: 'ms', target: 25, higher: false },
      { figure: 'Sum of RSS of the Node processes', measured: rssMB, unit: 'MB', target: 800, higher: false },
    ];
    const rows = figures.map((f) => {
      const ratio = f.higher ? f.measured / f.target : f.target / f.measured;
      return {
        figure: f.figure,
        measured: `${f.measured}${f.unit ? ` ${f.unit}` : ''}`,
        target: `${f.higher ? '≥' : '≤'} ${f.target}${f.unit ? ` ${f.unit}` : ''}`,
        'ratio (≥ 1 meets)': round(ratio, 2),
        met: ratio >= 1 ? 'yes' : 'NO',
      };
    });
    console.table(rows);
    writeFileSync(
      RESULTS_FILE,
      `${JSON.stringify(
        {
          at: new Date().toISOString(),
          machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), loadAverage: loadavg() },
          figures: figures.map((f, index) => ({ ...f, ratio: rows[index]?.['ratio (≥ 1 meets)'], met: rows[index]?.met === 'yes' })),
          details: {
            orderWait: driver.longPoll ? 'POST ?waitFor=final' : `poll every ${POLL_INTERVAL_MS} ms`,
            kneeSteps: steps,
            confirmedInKneeSteps: confirmedTotal,
            idleCpuMsPerSecond: round(idleMsPerSecond),
            cpuMsPerOrderByProcess: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(v / confirmedTotal, 2)])),
            halfKnee: {
              rate: round(knee / 2),
              confirmed: halfConfirmed.length,
              other: half.length - halfConfirmed.length,
              p50: Math.round(percentile(halfConfirmed, 50)),
            },
            productReads: {
              rawReqPerSec: Math.round(rawRate),
              gatewayReqPerSec: Math.round(gatewayRate),
              catalogReqPerSec: Math.round(catalogRate),
            },
            rssMBByService: rssByService,
            pssMB,
            memoryMBByService: memoryByService,
          },
        },
        null,
        2,
      )}\n`,
    );
    log(`written to ${RESULTS_FILE}`);
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
