// pnpm load:k6 <scenario> | load:once <scenario> | load:tokens | load:chart: the load tests from the command line.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_STATE_DIR, DevIssuer, REPO_ROOT } from '@storefront/devstack';
import { DEFAULT_CHART_DIR, redraw, stressRun } from './stress-chart/stress-run';
import { makeTokenFile } from './tokens';

export const SCENARIOS = ['smoke', 'average', 'stress', 'spike', 'soak', 'breakpoint'] as const;
const SCRIPTS_DIR = join(REPO_ROOT, 'loadtests', 'scripts');
const MIN_K6_MAJOR = 1;
/** Each VU plays its own customer: enough for the largest scenario (breakpoint: up to 500 VUs). */
const DEFAULT_CUSTOMERS = 600;
/** Longer than the longest scenario (soak: 2 h by default). */
const DEFAULT_TTL_SECONDS = 6 * 3600;

const envSchema = z.object({
  BASE_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:8080'),
  TOKENS_FILE: z.string().min(1).optional(),
  // k6 runs in the repository root: the default stays relative so the reports' paths read short.
  REPORT_DIR: z
    .string()
    .min(1)
    .transform((dir) => resolve(dir))
    .default('loadtests/reports'),
  K6_BIN: z.string().min(1).default('k6'),
  STOREFRONT_STATE_DIR: z.string().min(1).default(DEFAULT_STATE_DIR),
});
type Env = z.output<typeof envSchema>;

const say = (message: string) => process.stderr.write(`\x1b[36m[load]\x1b[0m ${message}\n`);

function fail(message: string, code = 2): never {
  process.stderr.write(`\x1b[31m[load]\x1b[0m ${message}\n`);
  process.exit(code);
}

function readEnv(): Env {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success)
    fail(`Invalid environment:\n${parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n')}`);
  return parsed.data;
}

function scenarioScript(name: string | undefined): string {
  if (!name || !(SCENARIOS as readonly string[]).includes(name)) fail(`Name a scenario: ${SCENARIOS.join(', ')}`);
  return join(SCRIPTS_DIR, `${name}.ts`);
}

export const K6_MISSING = `k6 is not installed here (looked for "k6" on PATH; K6_BIN names another binary).
Install k6 ${MIN_K6_MAJOR}.0 or newer (it runs the TypeScript scripts as they are):
  macOS:          brew install k6
  Debian/Ubuntu:  add Grafana's k6 apt repository, then apt-get install k6
                  (https://grafana.com/docs/k6/latest/set-up/install-k6/)
  any system:     one static binary from https://github.com/grafana/k6/releases
  with Docker:    docker run --rm -i --network host -v "$PWD:/src" -w /src grafana/k6:2.3.0 run \\
                    -e BASE_URL=http://localhost:8080 -e TOKENS_FILE=/src/.stack/k6-tokens.json loadtests/scripts/smoke.ts
Without k6, \`pnpm load:once <scenario>\` runs each journey of a scenario once against the API (no load).`;

/** The k6 binary and its version, or a message saying how to get one. */
function findK6(bin: string): string {
  const result = spawnSync(bin, ['version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) fail(K6_MISSING);
  const version = /v(\d+)\.(\d+)\.(\d+)/.exec(result.stdout)?.[0];
  if (!version || Number(version.slice(1).split('.')[0]) < MIN_K6_MAJOR) {
    fail(
      `${bin} is ${version ?? 'of an unknown version'}; the scripts need k6 ${MIN_K6_MAJOR}.0 or newer (TypeScript support).\n${K6_MISSING}`,
    );
  }
  return version;
}

async function assertGatewayAnswers(baseUrl: string): Promise<void> {
  try {
    const response = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(3000) });
    if (response.ok) return;
    fail(`${baseUrl}/health/ready answered ${response.status}: the gateway is not ready.`);
  } catch {
    fail(
      `Nothing answers at ${baseUrl}. Start the local stack (npm start), or forward a cluster's gateway, e.g.\n` +
        '  kubectl -n storefront port-forward svc/gateway 8080:8080\nand set BASE_URL if it is elsewhere.',
    );
  }
}

/** Signs a token file with the dev issuer's key in `stateDir` (the one `npm start` makes every process trust). */
async function writeTokenFile(stateDir: string, path: string, customers: number, ttlSeconds: number): Promise<void> {
  const issuer = await DevIssuer.persistent(stateDir);
  const file = await makeTokenFile((request) => issuer.token(request), { customers, ttlSeconds });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(file), { mode: 0o600 });
}

/** TOKENS_FILE if given, else a fresh file from the local dev issuer. */
async function tokensFor(env: Env): Promise<string> {
  if (env.TOKENS_FILE) {
    const path = resolve(env.TOKENS_FILE);
    if (!existsSync(path)) fail(`TOKENS_FILE ${path} does not exist (make one with pnpm load:tokens).`);
    return path;
  }
  const path = join(env.STOREFRONT_STATE_DIR, 'k6-tokens.json');
  await writeTokenFile(env.STOREFRONT_STATE_DIR, path, DEFAULT_CUSTOMERS, DEFAULT_TTL_SECONDS);
  say(
    `signed ${DEFAULT_CUSTOMERS} customer tokens and an admin token with ${join(env.STOREFRONT_STATE_DIR, 'dev-auth.json')} into ${path}`,
  );
  return path;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(command, args, { stdio: 'inherit', cwd: REPO_ROOT, env });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((done) => child.on('exit', (code, signal) => done(code ?? (signal ? 130 : 1))));
}

/** pnpm load:k6 <scenario> [k6 run flags…]: the real thing. */
async function k6(args: string[]): Promise<number> {
  const env = readEnv();
  const script = scenarioScript(args[0]);
  const version = findK6(env.K6_BIN);
  await assertGatewayAnswers(env.BASE_URL);
  const tokens = await tokensFor(env);
  // k6 creates report files but not their folder.
  mkdirSync(resolve(REPO_ROOT, env.REPORT_DIR), { recursive: true });
  say(`k6 ${version}: ${args[0]} against ${env.BASE_URL}; reports in ${env.REPORT_DIR}`);
  const settings = { BASE_URL: env.BASE_URL, TOKENS_FILE: tokens, REPORT_DIR: env.REPORT_DIR };
  const flags = Object.entries(settings).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
  return run(env.K6_BIN, ['run', ...flags, ...args.slice(1), script], process.env);
}

/** pnpm load:once <scenario>: each journey once, through the adapter, no k6 needed. */
async function once(args: string[]): Promise<number> {
  const env = readEnv();
  const script = scenarioScript(args[0]);
  await assertGatewayAnswers(env.BASE_URL);
  const tokens = await tokensFor(env);
  mkdirSync(resolve(REPO_ROOT, env.REPORT_DIR), { recursive: true });
  return run(process.execPath, [join(__dirname, 'adapter', 'run-once.js'), script], {
    ...process.env,
    BASE_URL: env.BASE_URL,
    TOKENS_FILE: tokens,
    REPORT_DIR: env.REPORT_DIR,
    THINK_TIME_SCALE: process.env.THINK_TIME_SCALE ?? '0',
  });
}

/** pnpm load:tokens [--customers n] [--ttl seconds] [--out file]: a token file for k6, e.g. for a cluster's Secret. */
async function tokens(args: string[]): Promise<number> {
  const env = readEnv();
  const { values } = parseArgs({ args, options: { customers: { type: 'string' }, ttl: { type: 'string' }, out: { type: 'string' } } });
  const customers = Number(values.customers ?? DEFAULT_CUSTOMERS);
  const ttl = Number(values.ttl ?? DEFAULT_TTL_SECONDS);
  if (!Number.isInteger(customers) || customers < 1 || customers > 100_000) fail('--customers must be a whole number from 1 to 100000');
  if (!Number.isInteger(ttl) || ttl < 60) fail('--ttl must be a whole number of seconds, at least 60');
  const out = resolve(values.out ?? join(env.STOREFRONT_STATE_DIR, 'k6-tokens.json'));
  await writeTokenFile(env.STOREFRONT_STATE_DIR, out, customers, ttl);
  say(
    `${customers} customer tokens and an admin token, valid ${ttl} s, signed with ${join(env.STOREFRONT_STATE_DIR, 'dev-auth.json')}: ${out}`,
  );
  return 0;
}

/**
 * pnpm load:chart: confirmed orders/s and p95 placed → confirmed against the offered arrival rate,
 * measured with the open-model driver (src/stress-chart) and drawn as docs/assets/stress-run.svg.
 */
async function chart(args: string[]): Promise<number> {
  const env = readEnv();
  const { values } = parseArgs({
    args,
    options: {
      rates: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      'own-stack': { type: 'boolean' },
      redraw: { type: 'boolean' },
      out: { type: 'string' },
    },
  });
  const outDir = resolve(values.out ?? DEFAULT_CHART_DIR);
  if (values.redraw) {
    await redraw(outDir);
    say(`drew ${join(outDir, 'stress-run.svg')} again from ${join(outDir, 'stress-run.json')}`);
    return 0;
  }
  const rates = (values.rates ?? '2,4,6,8,10,12,14,16').split(',').map(Number);
  const seconds = Number(values.seconds ?? 30);
  const warmupSeconds = Number(values.warmup ?? 5);
  if (rates.some((rate) => !(rate > 0 && rate <= 1_000)))
    fail('--rates must be orders per second, comma-separated, each above 0 and at most 1000');
  if (!(Number.isInteger(seconds) && seconds >= 5)) fail('--seconds must be a whole number, at least 5');
  if (!(Number.isInteger(warmupSeconds) && warmupSeconds >= 0 && warmupSeconds < seconds))
    fail('--warmup must be whole seconds, less than --seconds');
  if (!values['own-stack']) await assertGatewayAnswers(env.BASE_URL);
  const run = await stressRun({
    rates,
    seconds,
    warmupSeconds,
    baseUrl: values['own-stack'] ? undefined : env.BASE_URL,
    stateDir: env.STOREFRONT_STATE_DIR,
    outDir,
    log: say,
  });
  say(`${run.steps.length} steps measured: ${join(outDir, 'stress-run.json')}, ${join(outDir, 'stress-run.svg')}`);
  return 0;
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = { k6, once, tokens, chart };

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  const handler = command ? COMMANDS[command] : undefined;
  if (!handler)
    fail(
      `usage: cli.js k6|once <${SCENARIOS.join('|')}> [k6 flags] | tokens [--customers n] [--ttl s] [--out file] | chart [--rates a,b,…] [--seconds s] [--warmup s] [--own-stack] [--redraw] [--out dir]`,
    );
  process.exit(await handler(args));
}

if (require.main === module) void main();
