import autocannon from 'autocannon';
import { startTestStack, type TestStack } from '../test-stack';
import { startCollector } from './product-reads';
import { stopOnSignal } from './stop-on-signal';

/*
 * `pnpm bench gateway`: what tracing costs at the gateway. The whole stack runs twice on the local
 * PostgreSQL and NATS (its own databases and namespace, removed afterwards): once exporting nothing,
 * once exporting every span over OTLP to the in-memory trace collector. Each time autocannon drives
 * GET /api/products?limit=20 (gateway → gRPC → catalog → Prisma) for a fixed time after a warm-up.
 * The collector runs in a process of its own, so parsing spans does not slow the load generator.
 *   BENCH_SECONDS (per phase, default 20), BENCH_CONNECTIONS (default 16), BENCH_WARMUP_SECONDS (default 5)
 */

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const PATH = '/api/products?limit=20';
/** The rate limiter must never be what the benchmark measures. */
const UNLIMITED = { RATE_LIMIT_BURST: '1000000', RATE_LIMIT_PER_SECOND: '1000000' };

interface PhaseResult {
  phase: string;
  'req/s': number;
  'p50 ms': number;
  'p99 ms': number;
  requests: number;
  'non-2xx': number;
  errors: number;
  'spans/request': number | string;
}

async function drive(url: string, seconds: number): Promise<autocannon.Result> {
  return autocannon({ url, connections: CONNECTIONS, duration: seconds });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Spans the collector received so far. */
async function spansReceived(endpoint: string): Promise<number> {
  return ((await (await fetch(`${endpoint}/api/stats`)).json()) as { spansReceived: number }).spansReceived;
}

async function runPhase(phase: string, tracing: 'off' | { endpoint: string }): Promise<PhaseResult> {
  process.stdout.write(`${phase}: starting the stack…\n`);
  let stack: TestStack | undefined;
  const stopStack = stopOnSignal(async () => {
    await stack?.stop();
  });
  try {
    stack = await startTestStack({ tracing, output: null, env: { gateway: UNLIMITED } });
    const url = `${stack.gatewayUrl}${PATH}`;
    const probe = await fetch(url);
    if (!probe.ok) throw new Error(`GET ${PATH} answered ${probe.status}: ${await probe.text()}`);
    process.stdout.write(`${phase}: warming up for ${WARMUP_SECONDS} s, then ${SECONDS} s with ${CONNECTIONS} connections\n`);
    await drive(url, WARMUP_SECONDS);
    // Spans of the measured requests: what arrived from the end of the warm-up to one export
    // interval after the last request.
    await sleep(1_000);
    const spansBefore = tracing === 'off' ? 0 : await spansReceived(tracing.endpoint);
    const result = await drive(url, SECONDS);
    await sleep(1_500);
    const spans = tracing === 'off' ? undefined : (await spansReceived(tracing.endpoint)) - spansBefore;
    return {
      phase,
      'req/s': Math.round(result.requests.average),
      'p50 ms': result.latency.p50,
      'p99 ms': result.latency.p99,
      requests: result.requests.total,
      'non-2xx': result.non2xx,
      errors: result.errors,
      'spans/request': spans === undefined ? '-' : Number((spans / result.requests.total).toFixed(1)),
    };
  } finally {
    await stopStack();
  }
}

async function main(): Promise<void> {
  process.stdout.write(`gateway tracing benchmark: GET ${PATH}, ${SECONDS} s per phase\n`);
  const off = await runPhase('tracing off', 'off');
  const collector = await startCollector();
  let on: PhaseResult;
  const stopCollector = stopOnSignal(() => Promise.resolve(void collector.child.kill('SIGTERM')));
  try {
    on = await runPhase('tracing on (OTLP)', { endpoint: collector.endpoint });
  } finally {
    await stopCollector();
  }
  console.table([off, on]);
  const ratio = on['req/s'] / off['req/s'];
  process.stdout.write(`throughput with tracing: ${(ratio * 100).toFixed(1)} % of without (${((1 - ratio) * 100).toFixed(1)} % less)\n`);
  if (off['non-2xx'] + off.errors + on['non-2xx'] + on.errors > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
