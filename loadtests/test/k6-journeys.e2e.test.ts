import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestStack, type TestStack } from '@storefront/devstack/testing';
import type { AdapterResult } from '../src/adapter/run-once';
import { problems } from '../src/adapter/verdict';
import { makeTokenFile } from '../src/tokens';

/**
 * Every scenario script, run through the k6 adapter against a live stack: each of its journeys once,
 * with its real URLs, payloads, tokens, checks, thresholds and summary handler. The k6 binary is not
 * needed (nor installable here); what the adapter covers is in loadtests/README.md.
 */
const SCENARIOS = ['smoke', 'average', 'stress', 'spike', 'soak', 'breakpoint'];
const ENDPOINTS = new Set([
  'probe',
  'browse',
  'search',
  'product',
  'place_order',
  'order_status',
  'order_details',
  'order_history',
  'restock',
]);
const ROOT = join(__dirname, '..');
const RUN_ONCE = join(ROOT, 'dist', 'adapter', 'run-once.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly result: AdapterResult;
}

let stack: TestStack;
let workDir: string;
let tokensFile: string;
const runs = new Map<string, Run>();

function runScript(script: string, name: string, extraEnv: Record<string, string> = {}): Promise<Run> {
  const resultFile = join(workDir, `${name}.result.json`);
  const env = {
    PATH: process.env.PATH ?? '',
    BASE_URL: stack.gatewayUrl,
    TOKENS_FILE: tokensFile,
    THINK_TIME_SCALE: '0',
    REPORT_DIR: join(workDir, 'reports'),
    ...extraEnv,
  };
  const child = spawn(process.execPath, [RUN_ONCE, script, '--result', resultFile], { cwd: workDir, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      readFile(resultFile, 'utf8')
        .then((text) => resolve({ code, stdout, stderr, result: JSON.parse(text) as AdapterResult }))
        .catch(() => reject(new Error(`${name} left no result (exit ${code}):\n${stderr}`)));
    });
  });
}

/** Inventory creates stock from the catalog's events; the read model knows every product's a moment later. */
async function untilEveryProductHasStock(): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const page = (await (await stack.api('/api/products?limit=100', {}, null)).json()) as { items: { availability: { status: string } }[] };
    if (page.items.length > 0 && page.items.every((item) => item.availability.status !== 'unknown')) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the catalog never learned every product’s stock');
}

beforeAll(async () => {
  // Stock for every floor the scenarios' setup() keeps (up to 5,000 a product), so setup has nothing to
  // top up and the admin journey restocks one product per round.
  stack = await startTestStack({ env: { inventory: { INITIAL_STOCK: '100000' } } });
  workDir = await mkdtemp(join(tmpdir(), 'storefront-k6-'));
  await mkdir(join(workDir, 'reports'));
  await mkdir(join(workDir, 'declined'));
  tokensFile = join(workDir, 'tokens.json');
  // Four hours: longer than the longest scenario (soak), which setup() checks.
  await writeFile(
    tokensFile,
    JSON.stringify(await makeTokenFile((request) => stack.token(request), { customers: 8, ttlSeconds: 4 * 3600 })),
  );
  await untilEveryProductHasStock();
  // All at once: seven processes, each mostly waiting on the API. The last one sends every order
  // with a card the provider declines, so the journey's compensation branch runs too.
  const finished = await Promise.all([
    ...SCENARIOS.map((name) => runScript(join(ROOT, 'scripts', `${name}.ts`), name)),
    runScript(join(ROOT, 'scripts', 'smoke.ts'), 'smoke-declined', { DECLINE_EVERY: '1', REPORT_DIR: join(workDir, 'declined') }),
  ]);
  [...SCENARIOS, 'smoke-declined'].forEach((name, index) => runs.set(name, finished[index] as Run));
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe.each(SCENARIOS)('k6 scenario %s, each journey once against the live API', (name) => {
  const run = () => runs.get(name) as Run;

  it('passes every check, gets no failed request, and every threshold watches real samples', () => {
    // Durations of one iteration on a shared machine are reported, not judged.
    expect(problems(run().result, { timing: false })).toEqual([]);
    expect(run().result.checks.length).toBeGreaterThan(5);
  });

  it('runs every scenario of the script, each with requests of its own', () => {
    const { scenarios, requests } = run().result;
    expect(scenarios.length).toBeGreaterThanOrEqual(2);
    for (const scenario of scenarios) {
      expect(scenario.ran).toBe(true);
      expect(requests.filter((request) => request.scenario === scenario.name).length).toBeGreaterThan(0);
    }
  });

  it('tags every request with its route and an endpoint group, and sends orders with an Idempotency-Key', () => {
    const { requests } = run().result;
    for (const request of requests) {
      expect(ENDPOINTS.has(request.tags.endpoint ?? '')).toBe(true);
      expect(request.tags.name).toMatch(/^(GET|POST) \/api\//);
    }
    const orders = requests.filter((request) => request.method === 'POST' && request.tags.endpoint === 'place_order');
    expect(orders.length).toBeGreaterThan(0);
    for (const order of orders) {
      expect(order.headers['idempotency-key']).toMatch(/^k6-[a-z0-9]+-[a-z_]+-\d+$/);
      expect(order.headers.authorization).toBe('Bearer …');
      expect(order.status).toBe(201);
    }
  });

  it('writes a JSON summary and a self-contained HTML report', async () => {
    const { summaryFiles } = run().result;
    expect(summaryFiles).toEqual([`${join(workDir, 'reports')}/${name}-summary.json`, `${join(workDir, 'reports')}/${name}-report.html`]);
    const summary = JSON.parse(await readFile(summaryFiles[0] as string, 'utf8')) as {
      metrics: Record<string, { values: Record<string, number> }>;
    };
    expect(summary.metrics.orders_confirmed?.values.count).toBeGreaterThanOrEqual(1);
    expect(summary.metrics['http_req_duration{endpoint:place_order}']?.values.count).toBeGreaterThanOrEqual(1);
    const html = await readFile(summaryFiles[1] as string, 'utf8');
    expect(html).toContain(`Storefront load test · ${name}`);
    expect(html).toContain('place_order');
    // Nothing fetched from elsewhere: no scripts, stylesheets, fonts or images by URL.
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(|src=/i);
    expect(run().stdout).toContain(`storefront ${name}:`);
  });
});

it('a customer whose card is declined sees the order cancelled, as the journey expects', () => {
  const { result } = runs.get('smoke-declined') as Run;
  expect(result.checks).toContainEqual({ path: '::checkout::order: cancelled as its payment token says', passes: 1, fails: 0 });
  // Nothing was confirmed in this run, and exactly the thresholds that need a confirmation say so.
  expect(problems(result, { timing: false })).toEqual([
    'threshold watches nothing (no sample): order_time_to_confirmed p(95)<3000',
    'threshold watches nothing (no sample): order_time_to_confirmed p(99)<5000',
    'threshold watches nothing (no sample): orders_confirmed count>0',
  ]);
});

describe('the k6 adapter', () => {
  it('reports a failing check, a refused request and a threshold that watches nothing', async () => {
    const { result, code } = await runScript(join(__dirname, 'fixtures', 'broken-journey.ts'), 'broken-journey');
    expect(code).toBe(1);
    expect(problems(result, { timing: false })).toEqual([
      'check failed 1x: ::product: 200',
      `request failed: GET ${stack.gatewayUrl}/api/products/00000000-0000-4000-8000-000000000000 → 404`,
      'threshold watches nothing (no sample): http_req_duration{endpoint:nowhere} p(95)<500',
      'threshold crossed: http_req_failed rate<0.01 (1)',
    ]);
  });

  it('refuses a threshold on a metric nobody declared, as k6 does at start-up', async () => {
    const { result } = await runScript(join(__dirname, 'fixtures', 'unknown-threshold-metric.ts'), 'unknown-threshold-metric');
    expect(result.errors).toEqual([
      {
        phase: 'options',
        message: 'ThresholdError: invalid threshold defined on order_latency; reason: no metric name "order_latency" found',
      },
    ]);
  });

  it('fails in the init context on a k6 module it does not provide', async () => {
    const { result } = await runScript(join(__dirname, 'fixtures', 'uncovered-module.ts'), 'uncovered-module');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.message).toContain('The k6 adapter does not provide "k6/crypto"');
  });
});
