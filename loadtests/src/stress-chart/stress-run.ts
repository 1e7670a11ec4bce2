import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { DevIssuer, REPO_ROOT, SERVICES } from '@storefront/devstack';
import { startTestStack, type TestStack } from '@storefront/devstack/testing';
import { renderChart, type StressRun } from './chart';
import { OpenModelDriver, type StepResult } from './open-model';

export interface StressRunOptions {
  readonly rates: readonly number[];
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** The gateway of `npm start`, or undefined to start a stack of the run's own. */
  readonly baseUrl: string | undefined;
  readonly stateDir: string;
  readonly outDir: string;
  readonly log: (message: string) => void;
}

const CHART_FILES = { data: 'stress-run.json', chart: 'stress-run.svg' };
const CUSTOMERS = 200;

/**
 * `npm start`'s settings for a stack of the run's own: startTestStack() relaxes the gateway's limits
 * and deadlines for tests, which would flatter the chart.
 */
const START_SETTINGS = {
  gateway: { RATE_LIMIT_BURST: '60', RATE_LIMIT_PER_SECOND: '20', DOWNSTREAM_TIMEOUT_MS: '2000' },
  order: { CATALOG_TIMEOUT_MS: '2000' },
  ...Object.fromEntries(SERVICES.filter((service) => service.database).map((service) => [service.name, { DATABASE_POOL_SIZE: '10' }])),
};

async function productsOf(baseUrl: string): Promise<{ id: string; sku: string }[]> {
  const products: { id: string; sku: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = (await (await fetch(`${baseUrl}/api/products?limit=100${cursor ? `&cursor=${cursor}` : ''}`)).json()) as {
      items: { id: string; sku: string }[];
      nextCursor?: string;
    };
    products.push(...page.items.map(({ id, sku }) => ({ id, sku })));
    cursor = page.nextCursor;
  } while (cursor);
  return products;
}

/** Runs the steps, writes the data and the chart, and returns the data. */
export async function stressRun(options: StressRunOptions): Promise<StressRun> {
  let stack: TestStack | undefined;
  try {
    let baseUrl = options.baseUrl;
    let sign: (request: { subject: string; roles: string[] }) => Promise<string>;
    if (baseUrl) {
      const issuer = await DevIssuer.persistent(options.stateDir);
      sign = (request) => issuer.token({ ...request, expiresInSeconds: 6 * 3600 });
    } else {
      options.log("starting a stack of this run's own (its own databases and messaging namespace, removed afterwards)");
      stack = await startTestStack({ tracing: 'off', env: { ...START_SETTINGS, inventory: { INITIAL_STOCK: '1000' } } });
      baseUrl = stack.gatewayUrl;
      const own = stack;
      sign = (request) => own.token(request);
    }
    const customerTokens = await Promise.all(
      Array.from({ length: CUSTOMERS }, (_, index) => sign({ subject: `chart-${index + 1}`, roles: ['customer'] })),
    );
    const adminToken = await sign({ subject: 'chart-admin', roles: ['admin'] });
    const products = await productsOf(baseUrl);
    const driver = new OpenModelDriver(
      { baseUrl, customerTokens, adminToken },
      products.map((product) => product.id),
    );
    const loadBefore = loadavg()[0] ?? 0;
    // Unmeasured: cold code paths and empty pools would count against the first step.
    options.log('warming up: 1 order/s for 10 s (not measured)');
    await driver.restock(
      20,
      products.map((product) => product.sku),
    );
    await driver.step({ rate: 1, seconds: 10, warmupSeconds: 0, finalTimeoutMs: 60_000 });
    const steps: StepResult[] = [];
    for (const rate of options.rates) {
      await driver.restock(
        Math.ceil((rate * options.seconds) / products.length) * 3 + 10,
        products.map((product) => product.sku),
      );
      options.log(`${rate} orders/s for ${options.seconds} s …`);
      const step = await driver.step({ rate, seconds: options.seconds, warmupSeconds: options.warmupSeconds, finalTimeoutMs: 60_000 });
      steps.push(step);
      const failures =
        Object.entries(step.placeFailures)
          .map(([status, count]) => `${count}× ${status}`)
          .join(', ') || 'none';
      options.log(
        `  confirmed ${step.confirmedPerSecond}/s; placed → confirmed p50 ${step.confirmMs.p50} ms, p95 ${step.confirmMs.p95} ms; ` +
          `POST p95 ${step.placeMs.p95} ms; unfinished ${step.unfinished}; failed placements ${failures}`,
      );
    }
    const cpu = cpus();
    const run: StressRun = {
      measuredAt: new Date().toISOString(),
      machine: `${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
      loadAverage: { before: Math.round(loadBefore * 10) / 10, after: Math.round((loadavg()[0] ?? 0) * 10) / 10 },
      target: options.baseUrl ? `npm start (${options.baseUrl})` : "a stack of the run's own, npm start's settings",
      stepSeconds: options.seconds,
      warmupSeconds: options.warmupSeconds,
      steps,
    };
    await writeRun(run, options.outDir);
    return run;
  } finally {
    await stack?.stop();
  }
}

async function writeRun(run: StressRun, outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, CHART_FILES.data), `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(join(outDir, CHART_FILES.chart), `${await renderChart(run)}\n`);
}

/** Draws the chart again from the data file (after changing the chart, not the system). */
export async function redraw(outDir: string): Promise<void> {
  await writeRun(JSON.parse(readFileSync(join(outDir, CHART_FILES.data), 'utf8')) as StressRun, outDir);
}

export const DEFAULT_CHART_DIR = join(REPO_ROOT, 'docs', 'assets');
