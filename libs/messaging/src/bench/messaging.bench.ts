import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Pool } from 'pg';
import { ProductCreatedV1, STREAMS } from '@storefront/contracts';
import { dropDatabase, ensureDatabase, TRANSACTION_MAX_WAIT_MS, withDatabase } from '@storefront/persistence';
import { EventConsumer } from '../event-consumer';
import { createEvent } from '../event-factory';
import { connectNats, deleteStreams, ensureStreams } from '../jetstream';
import { Namespace } from '../namespace';
import { Outbox } from '../outbox';
import { OutboxRelay } from '../outbox-relay';
import { pgTransactionRunner } from '../pg-transaction';
import { MESSAGING_TABLES_SQL } from '../tables';

/*
 * `pnpm bench:messaging`: events per second end to end (commit → handled by a consumer) and the
 * commit-to-handled lag, through the real outbox relay, JetStream and an idempotent consumer, on the
 * local PostgreSQL and NATS. Two phases: a fixed arrival rate, then saturation.
 *
 * It runs the pipeline as a service does: writers add events to the outbox and the consumer applies
 * them in transactions of the services' plain-pg runner (pgTransactionRunner with prepared
 * statements, as order's OrderTransactions, on one pool of DATABASE_POOL_SIZE's default, 10, shared
 * by both, as in a service), the relay has a pool of its own of 4 (MessagingRuntime), and the
 * consumer runs with the services' settings (one lane, groups of up to 16).
 *   BENCH_JSON (also write the two rows there as JSON), BENCH_RATE (events/s, default 100: issue 12's p99 target is at that rate), BENCH_SECONDS (per phase, default 10),
 *   BENCH_WRITERS (saturation phase, default 8), BENCH_EVENTS_PER_TRANSACTION (saturation phase, default 1), BENCH_LANES (default 1),
 *   BENCH_WARM_UP_SECONDS (at the fixed rate before the phases, not measured; default 3),
 *   BENCH_MAX_GROUP and BENCH_PULL_SIZE (the consumer's maxGroup and batchSize; the services' defaults otherwise)
 */

const SERVER = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** Seconds at the fixed rate before the phases, not measured (BENCH_WARM_UP_SECONDS). */
const WARM_UP_SECONDS = Number(process.env.BENCH_WARM_UP_SECONDS ?? 3);
/** Concurrent writing transactions in the saturation phase (a service's requests and saga steps). */
const WRITERS = Number(process.env.BENCH_WRITERS ?? 8);
/**
 * Events each writer commits per transaction in the saturation phase: 1, as a service's command or
 * saga step does (1–2). More measures a pipeline no service drives; it is there to see how much
 * of the figure is PostgreSQL committing.
 */
const PER_TRANSACTION = Number(process.env.BENCH_EVENTS_PER_TRANSACTION ?? 1);
/** The consumer's lanes (EventConsumerOptions.lanes); services run one. */
const LANES = Number(process.env.BENCH_LANES ?? 1);
/** The consumer's group and pull sizes (maxGroup, batchSize) when not the services' defaults. */
const MAX_GROUP = process.env.BENCH_MAX_GROUP ? Number(process.env.BENCH_MAX_GROUP) : undefined;
const PULL_SIZE = process.env.BENCH_PULL_SIZE ? Number(process.env.BENCH_PULL_SIZE) : undefined;
/** A service's query pool (DATABASE_POOL_SIZE's default) and its relay's (MessagingRuntime). */
const SERVICE_POOL_SIZE = 10;
const RELAY_POOL_SIZE = 4;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** User + system CPU ms of a local process so far (Linux /proc, 100 ticks a second), or undefined. */
function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * CPU time of the benchmark database's PostgreSQL backends over a phase (when the server runs on
 * this machine): sampled every half second, so connections opened during the phase count from 0.
 */
function backendCpu(pool: Pool, database: string): { stop(): Promise<number | undefined> } {
  const seen = new Map<number, { first: number; last: number }>();
  let first = true;
  const sample = async () => {
    const { rows } = await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
      database,
    ]);
    for (const { pid } of rows) {
      const cpu = cpuMsOf(pid);
      if (cpu === undefined) continue;
      const known = seen.get(pid);
      if (known) known.last = cpu;
      else seen.set(pid, { first: first ? cpu : 0, last: cpu });
    }
    first = false;
  };
  const started = sample();
  const timer = setInterval(() => void sample().catch(() => undefined), 500);
  return {
    async stop() {
      clearInterval(timer);
      await started;
      await sample();
      if (seen.size === 0) return undefined;
      return [...seen.values()].reduce((sum, { first, last }) => sum + last - first, 0);
    },
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function main(): Promise<void> {
  const databaseUrl = withDatabase(SERVER, `bench_messaging_${process.pid}_${randomBytes(3).toString('hex')}`);
  await ensureDatabase(databaseUrl);
  // Both as the services make them: MessagingRuntime's relay pool, DatabaseClientModule's pool.
  const pool = new Pool({ connectionString: databaseUrl, max: RELAY_POOL_SIZE, min: RELAY_POOL_SIZE });
  pool.on('error', (error) => console.error('idle connection failed:', error.message));
  // The service's pool: as long a wait for a connection as Prisma's maxWait.
  const servicePool = new Pool({
    connectionString: databaseUrl,
    max: SERVICE_POOL_SIZE,
    min: SERVICE_POOL_SIZE,
    connectionTimeoutMillis: TRANSACTION_MAX_WAIT_MS,
  });
  servicePool.on('error', (error) => console.error('idle connection failed:', error.message));
  // Connections opened during a phase (a pool closes idle ones after 10 s, and a new one costs a
  // connection set-up and the statements' preparation again).
  let connectionsOpened = 0;
  servicePool.on('connect', () => (connectionsOpened += 1));
  pool.on('connect', () => (connectionsOpened += 1));
  // Reads pg_stat_activity for the backends' CPU time (backendCpu), off the pools measured.
  const monitor = new Pool({ connectionString: databaseUrl, max: 1 });
  monitor.on('error', (error) => console.error('idle connection failed:', error.message));
  await pool.query(MESSAGING_TABLES_SQL);
  await pool.query('CREATE TABLE "effects" ("event_id" UUID PRIMARY KEY)');
  const namespace = new Namespace(`bench${randomBytes(3).toString('hex')}`);
  const nc = await connectNats(NATS_URL, 'messaging-bench');
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  await ensureStreams(jsm, namespace, STREAMS, { duplicateWindowMs: 120_000, maxAgeMs: 3_600_000 });

  const committedAt = new Map<string, number>();
  const lagRecorded = new Set<string>();
  const lags: number[] = [];
  let handled = 0;
  let lastHandledAt = 0;
  // Where the lag goes, per event: committed → published (relay), → handler called (JetStream and
  // the consumer's pull, inbox insert), → committed and acked (the consumer's transaction).
  const publishedAt = new Map<string, number>();
  const handlerAt = new Map<string, number>();
  const stages: { relay: number[]; delivery: number[]; apply: number[] } = { relay: [], delivery: [], apply: [] };
  // As a service's transactionalClient (order's OrderTransactions): plain pg, prepared statements.
  const transaction = pgTransactionRunner(servicePool, { prepare: true });
  const relay = new OutboxRelay({
    service: 'bench',
    pool,
    js,
    namespace,
    afterPublish: (ids) => {
      const now = performance.now();
      for (const id of ids) publishedAt.set(id, now);
      return Promise.resolve();
    },
  });
  const consumer = new EventConsumer({
    service: 'bench',
    durable: 'bench',
    stream: ProductCreatedV1.stream,
    js,
    jsm,
    namespace,
    transaction,
    handlers: [
      {
        definition: ProductCreatedV1,
        handle: async (event, tx) => {
          handlerAt.set(event.id, performance.now());
          await tx.$executeRawUnsafe('INSERT INTO "effects" ("event_id") VALUES ($1::uuid)', event.id);
        },
      },
    ],
    lanes: LANES,
    ...(MAX_GROUP === undefined ? {} : { maxGroup: MAX_GROUP }),
    ...(PULL_SIZE === undefined ? {} : { batchSize: PULL_SIZE }),
    log: (level, message) => {
      if (level !== 'info') console.error(`consumer ${level}: ${message}`);
    },
    // Measured when the effect has committed, just before the ack.
    beforeAck: (event) => {
      const started = committedAt.get(event.id);
      if (started !== undefined && !lagRecorded.has(event.id)) {
        lagRecorded.add(event.id);
        const now = performance.now();
        lags.push(now - started);
        const published = publishedAt.get(event.id);
        const called = handlerAt.get(event.id);
        if (published !== undefined && called !== undefined) {
          stages.relay.push(published - started);
          stages.delivery.push(called - published);
          stages.apply.push(now - called);
        }
        publishedAt.delete(event.id);
        handlerAt.delete(event.id);
        handled += 1;
        lastHandledAt = now;
      }
      return Promise.resolve('ack');
    },
  });
  await relay.start();
  await consumer.start();
  const outbox = new Outbox();
  // As in a service (MessagingRuntime): the writer publishes after commit, the relay what it missed.
  // BENCH_RELAY_ONLY=1 leaves every event to the relay, as before docs/bench.md item 59.
  if (process.env.BENCH_RELAY_ONLY !== '1') outbox.publishAfterCommit(relay);

  const newEvent = () => {
    const productId = randomUUID();
    return createEvent(ProductCreatedV1, {
      source: 'bench',
      aggregateId: productId,
      payload: {
        productId,
        sku: 'BENCH-1',
        name: 'Benchmark product',
        description: 'x'.repeat(200),
        category: { slug: 'bench', name: 'Bench' },
        price: { amountMinor: 1999, currency: 'USD' },
        imageUrl: null,
      },
    });
  };
  /** One transaction adding `count` events to the outbox; resolves with how many. */
  const write = async (count: number) => {
    const events = Array.from({ length: count }, newEvent);
    // Set before too, in case the consumer is faster than this function's continuation after COMMIT.
    for (const event of events) committedAt.set(event.id, performance.now());
    await transaction((tx) => outbox.add(tx, ...events));
    const now = performance.now();
    for (const event of events) if (!lagRecorded.has(event.id)) committedAt.set(event.id, now);
    return count;
  };
  const writeOne = () => write(1);

  const breakdown: Record<string, string | number>[] = [];
  let failedWrites = 0;
  const runPhase = async (name: string, write: (deadline: number) => Promise<number>) => {
    lags.length = 0;
    for (const list of Object.values(stages)) list.length = 0;
    handled = 0;
    connectionsOpened = 0;
    // Where a tail can come from inside this process: event-loop delay and garbage-collection pauses.
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const pauses: number[] = [];
    const gc = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) pauses.push(entry.duration);
    });
    gc.observe({ entryTypes: ['gc'] });
    const backends = backendCpu(monitor, new URL(databaseUrl).pathname.slice(1));
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const written = await write(started + SECONDS * 1_000);
    const waitUntil = performance.now() + 30_000;
    while (handled < written && performance.now() < waitUntil) await sleep(20);
    const seconds = (lastHandledAt - started) / 1_000;
    const cpu = process.cpuUsage(cpuBefore);
    const postgresMs = await backends.stop();
    loopDelay.disable();
    gc.disconnect();
    const sorted = [...lags].sort((a, b) => a - b);
    const stage = (values: number[]) => {
      const ordered = [...values].sort((a, b) => a - b);
      return `${percentile(ordered, 50).toFixed(1)} / ${percentile(ordered, 99).toFixed(1)}`;
    };
    breakdown.push({
      phase: name,
      'commit → published (p50 / p99 ms)': stage(stages.relay),
      'published → handler': stage(stages.delivery),
      'handler → committed, acked': stage(stages.apply),
      'event-loop delay p99 / max ms': `${(loopDelay.percentile(99) / 1e6).toFixed(1)} / ${(loopDelay.max / 1e6).toFixed(1)}`,
      'GC pauses: n, max ms': `${pauses.length}, ${Math.max(0, ...pauses).toFixed(1)}`,
      'connections opened': connectionsOpened,
    });
    return {
      phase: name,
      committed: written,
      handled,
      'events/s': Math.round(handled / seconds),
      'p50 lag ms': Number(percentile(sorted, 50).toFixed(1)),
      'p99 lag ms': Number(percentile(sorted, 99).toFixed(1)),
      'max lag ms': Number((sorted.at(-1) ?? Number.NaN).toFixed(1)),
      // Writers, relay and consumer together (this process; not PostgreSQL or NATS).
      'Node CPU µs/event': Math.round((cpu.user + cpu.system) / Math.max(1, handled)),
      // This database's backends (writers, relay, consumer); nats-server is not counted.
      'PostgreSQL CPU µs/event': postgresMs === undefined ? 'n/a' : Math.round((postgresMs * 1_000) / Math.max(1, handled)),
    };
  };

  try {
    process.stdout.write(`messaging benchmark: ${SECONDS} s per phase, PostgreSQL ${new URL(SERVER).host}, NATS ${NATS_URL}\n`);
    /** Commits one event per transaction at RATE until the deadline; how many were committed. */
    const atFixedRate = async (deadline: number) => {
      let written = 0;
      const interval = 1_000 / RATE;
      let next = performance.now();
      const inFlight: Promise<unknown>[] = [];
      while (performance.now() < deadline) {
        // A transaction that could not start in time (the pool stayed busy for TRANSACTION_MAX_WAIT_MS) is
        // counted and left out, as a service would fail that request.
        inFlight.push(
          writeOne().then(
            () => (written += 1),
            (error: unknown) => {
              failedWrites += 1;
              if (failedWrites === 1) console.error(`a writing transaction failed: ${(error as Error).message}`);
            },
          ),
        );
        next += interval;
        const wait = next - performance.now();
        if (wait > 0) await sleep(wait);
      }
      await Promise.all(inFlight);
      return written;
    };
    // Not measured: the process's first seconds (pools opening connections, statements prepared on
    // each, code not yet optimized), which a running service is past.
    const warmUpWritten = await atFixedRate(performance.now() + WARM_UP_SECONDS * 1_000);
    const warmUpUntil = performance.now() + 30_000;
    while (handled < warmUpWritten && performance.now() < warmUpUntil) await sleep(20);
    const fixed = await runPhase(`fixed ${RATE}/s`, atFixedRate);
    const saturated = await runPhase(`saturation (${WRITERS} writers × ${PER_TRANSACTION}/tx)`, async (deadline) => {
      let written = 0;
      await Promise.all(
        Array.from({ length: WRITERS }, async () => {
          while (performance.now() < deadline) {
            const count = await write(PER_TRANSACTION).catch(() => {
              failedWrites += 1;
              return 0;
            });
            written += count;
          }
        }),
      );
      return written;
    });
    console.table([fixed, saturated]);
    console.table(breakdown);
    // `pnpm bench` reads the figures from here.
    if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify([fixed, saturated]));
    const lost = [fixed, saturated].reduce((sum, phase) => sum + phase.committed - phase.handled, 0);
    process.stdout.write(`events committed but not handled: ${lost}; writing transactions that failed: ${failedWrites}\n`);
    if (lost > 0) process.exitCode = 1;
  } finally {
    await consumer.stop();
    await relay.stop();
    await deleteStreams(jsm, namespace, STREAMS);
    await nc.close();
    await servicePool.end();
    await monitor.end();
    await pool.end();
    await dropDatabase(databaseUrl);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
