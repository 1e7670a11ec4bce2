// Settings every scenario reads from the environment (`k6 run -e NAME=value`, or the TestRun's env).
import { SharedArray } from 'k6/data';
import type { Options, Scenario } from 'k6/options';

function env(name: string, fallback: string): string {
  const value = __ENV[name];
  return value === undefined || value === '' ? fallback : value;
}

function positiveNumber(name: string, fallback: number): number {
  const raw = env(name, String(fallback));
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number >= 0, got "${raw}"`);
  return value;
}

export const config = {
  /** The gateway: `npm start`'s, or a port-forwarded or in-cluster one. */
  baseUrl: env('BASE_URL', 'http://localhost:8080').replace(/\/+$/, ''),
  /** Multiplies every think time; 0 makes a journey run back to back. */
  thinkTimeScale: positiveNumber('THINK_TIME_SCALE', 1),
  /** Every n-th order pays with a card the simulated provider declines (the saga's compensation); 0: none. */
  declineEvery: positiveNumber('DECLINE_EVERY', 20),
  /** How long a customer waits for an order to become final before counting it unfinished. */
  orderFinalTimeoutSeconds: positiveNumber('ORDER_FINAL_TIMEOUT_S', 60),
  /** Where handleSummary writes the JSON and HTML reports (relative to the working directory). */
  reportDir: env('REPORT_DIR', 'reports').replace(/\/+$/, ''),
};

export interface Customer {
  readonly id: string;
  readonly token: string;
}

interface TokenFile {
  readonly issuer?: string;
  readonly customers: Customer[];
  readonly admin: Customer;
}

/**
 * Access tokens are minted outside k6, by the identity provider the gateway trusts (locally the dev
 * issuer: `pnpm load:tokens`), and handed in as a file (TOKENS_FILE, an absolute path) or inline JSON
 * (TOKENS). A load generator holds tokens, never a signing key. Read once in the init context and
 * shared by every VU; setup() proves they work before any load starts.
 */
function readTokens(): TokenFile {
  const path = __ENV.TOKENS_FILE;
  const source = path ? open(path) : __ENV.TOKENS;
  if (!source) throw new Error('No access tokens: set TOKENS_FILE (a file made by `pnpm load:tokens`) or TOKENS (its JSON).');
  const parsed = JSON.parse(source) as Partial<TokenFile>;
  if (!Array.isArray(parsed.customers) || parsed.customers.length === 0 || !parsed.admin?.token) {
    throw new Error(`${path ?? 'TOKENS'} must hold {"customers":[{"id","token"}...],"admin":{"id","token"}}`);
  }
  return parsed as TokenFile;
}

let tokenFile: TokenFile | undefined;
function loadTokens(): TokenFile {
  if (!tokenFile) tokenFile = readTokens();
  return tokenFile;
}

// One element per customer: SharedArray hands out a copy of the element that is read, not of all.
const customerTokens = new SharedArray<Customer>('customer tokens', () => loadTokens().customers);
const adminTokens = new SharedArray<Customer>('admin token', () => [loadTokens().admin]);

export function customerCount(): number {
  return customerTokens.length;
}

/** The customer a VU plays: VU n is customer n, wrapping around when there are more VUs than customers. */
export function customerOf(vuIdInTest: number): Customer {
  return customerTokens[(Math.max(1, vuIdInTest) - 1) % customerTokens.length] as Customer;
}

export function admin(): Customer {
  return adminTokens[0] as Customer;
}

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** Seconds of a k6 duration such as "1m30s" or "2h". */
function seconds(duration: string | undefined): number {
  if (!duration) return 0;
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(amount) * (UNITS[unit as string] ?? 0);
  return total;
}

/** How long a scenario runs at most, and how many VUs it may use. */
function scenarioPlan(scenario: Scenario): { endsAfter: number; vus: number } {
  const start = seconds(scenario.startTime);
  const stop = seconds(scenario.gracefulStop ?? '30s');
  const s = scenario as Scenario & {
    duration?: string;
    maxDuration?: string;
    stages?: { duration: string; target: number }[];
    vus?: number;
    maxVUs?: number;
    startVUs?: number;
    preAllocatedVUs?: number;
  };
  const length = s.stages
    ? s.stages.reduce((sum, stage) => sum + seconds(stage.duration), 0)
    : seconds(s.duration ?? s.maxDuration ?? '10m');
  const stageVus = s.executor === 'ramping-vus' && s.stages ? Math.max(s.startVUs ?? 1, ...s.stages.map((stage) => stage.target)) : 0;
  return { endsAfter: start + length + stop, vus: Math.max(s.vus ?? 0, s.maxVUs ?? 0, s.preAllocatedVUs ?? 0, stageVus, 1) };
}

/** The longest a test with these options runs, and the most VUs all its scenarios use at once. */
export function plan(options: Options): { seconds: number; vus: number } {
  const scenarios = Object.values(options.scenarios ?? {});
  return {
    seconds: Math.max(0, ...scenarios.map((scenario) => scenarioPlan(scenario).endsAfter)),
    vus: scenarios.reduce((sum, scenario) => sum + scenarioPlan(scenario).vus, 0),
  };
}
