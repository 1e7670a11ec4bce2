// Runs a k6 script's journeys once each, in Node, against a live API: init, setup(), one iteration of
// every scenario's function (each as its own VU), teardown(), thresholds, handleSummary(). For
// `npm test` and for anyone without the k6 binary; what it covers is in loadtests/README.md.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { k6Modules, K6Runtime, TestAborted, type ScriptOptions } from './k6-runtime';
import { BUILTIN_NOT_MEASURED } from './metrics';
import { summaryData } from './summary-data';
import { evaluateThreshold, parseThresholds, type ThresholdResult } from './thresholds';
import { problems } from './verdict';

export interface AdapterResult {
  readonly script: string;
  /** Set when exec.test.abort() ended the run. */
  readonly aborted: string | null;
  /** Exceptions: in the init context, setup, an iteration, teardown or handleSummary. */
  readonly errors: { readonly phase: string; readonly scenario?: string; readonly message: string }[];
  readonly failures: string[];
  readonly scenarios: { readonly name: string; readonly exec: string; readonly executor: string; readonly ran: boolean }[];
  readonly checks: { readonly path: string; readonly passes: number; readonly fails: number }[];
  readonly requests: K6Runtime['requests'];
  readonly thresholds: {
    readonly key: string;
    readonly source: string;
    readonly abortOnFail: boolean;
    /** False for built-in metrics only a real k6 run produces (dropped_iterations, vus, …). */
    readonly measured: boolean;
    /** A threshold on durations, which one iteration on a busy machine says little about. */
    readonly timing: boolean;
    readonly samples: number;
    readonly value: number;
    readonly ok: boolean;
  }[];
  /** Files handleSummary() asked for (paths as returned), written relative to the working directory. */
  readonly summaryFiles: string[];
}

type ScriptFunction = (data?: unknown) => unknown;

const SCOPE = Symbol.for('storefront.k6-adapter');
const NOT_MEASURED = new Set(BUILTIN_NOT_MEASURED.map((definition) => definition.name));

/**
 * Makes `import … from 'k6/…'` reach the runtime's modules (each exposed through a small ES module
 * facade, so named imports work), runs .ts files with Node's type stripping, and refuses every other
 * bare or remote import, as a k6 run without extensions would.
 */
function installModuleHooks(modules: Record<string, Record<string, unknown>>): void {
  (globalThis as Record<symbol, unknown>)[SCOPE] = modules;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier === 'k6' || specifier.startsWith('k6/')) {
        const module = modules[specifier];
        if (!module) throw new Error(`The k6 adapter does not provide "${specifier}" (see loadtests/README.md); run this script with k6`);
        const names = Object.keys(module).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
        const source = [
          `const m = globalThis[Symbol.for('storefront.k6-adapter')][${JSON.stringify(specifier)}];`,
          'export default m;',
          ...names.map((name) => `export const ${name} = m.${name};`),
        ].join('\n');
        return { url: `data:text/javascript,${encodeURIComponent(source)}`, shortCircuit: true };
      }
      if (/^https?:/.test(specifier)) throw new Error(`Remote modules (${specifier}) are not covered by the k6 adapter`);
      if (
        !specifier.startsWith('.') &&
        !specifier.startsWith('/') &&
        !specifier.startsWith('file:') &&
        context.parentURL?.endsWith('.ts')
      ) {
        throw new Error(`"${specifier}" is not a k6 module: k6 scripts cannot import npm packages`);
      }
      return nextResolve(specifier, context);
    },
    load(url, context, nextLoad) {
      // The scripts are ES modules in TypeScript; saying so spares Node the guess (and its warning).
      if (url.startsWith('file:') && url.endsWith('.ts')) return nextLoad(url, { ...context, format: 'module-typescript' });
      return nextLoad(url, context);
    },
  });
}

function message(error: unknown): string {
  return error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
}

async function runOnce(scriptPath: string, env: Record<string, string>): Promise<AdapterResult> {
  const runtime = new K6Runtime(env, join(__dirname, 'http-worker.js'));
  const global = globalThis as Record<string, unknown>;
  global.open = runtime.open;
  global.__ENV = env;
  installModuleHooks(k6Modules(runtime));

  const errors: { phase: string; scenario?: string; message: string }[] = [];
  const scenarios: { name: string; exec: string; executor: string; ran: boolean }[] = [];
  let aborted: string | null = null;
  let results: ThresholdResult[] = [];
  const summaryFiles: string[] = [];
  const started = Date.now();

  const attempt = <T>(phase: string, fn: () => T, scenario?: string): T | undefined => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof TestAborted) aborted = error.message;
      else errors.push({ phase, ...(scenario ? { scenario } : {}), message: message(error) });
      return undefined;
    }
  };

  let script: Record<string, unknown> | undefined;
  try {
    script = (await import(pathToFileURL(resolve(scriptPath)).href)) as Record<string, unknown>;
  } catch (error) {
    errors.push({ phase: 'init', message: message(error) });
  }

  if (script) {
    const exported = (name: string): ScriptFunction | undefined => {
      const value = script[name];
      return typeof value === 'function' ? (value as ScriptFunction) : undefined;
    };
    const options = (script.options ?? {}) as ScriptOptions;
    runtime.options = options;
    const thresholds = attempt('options', () => parseThresholds(options.thresholds ?? {}, runtime.registry)) ?? [];
    const configured = Object.entries(options.scenarios ?? { default: { executor: 'per-vu-iterations' } });
    for (const [name, scenario] of configured) {
      const exec = scenario.exec ?? 'default';
      if (!exported(exec)) errors.push({ phase: 'options', scenario: name, message: `exported function "${exec}" not found` });
      scenarios.push({ name, exec, executor: scenario.executor, ran: false });
    }

    const setup = exported('setup');
    const data = setup ? runtime.inPhase('setup', () => attempt('setup', () => setup())) : undefined;
    // k6 hands each VU its own copy of setup's result, as JSON.
    const copy = () => (data === undefined ? undefined : (JSON.parse(JSON.stringify(data)) as unknown));

    if (errors.length === 0 && aborted === null) {
      configured.forEach(([name, scenario], index) => {
        const fn = exported(scenario.exec ?? 'default') as ScriptFunction;
        if (aborted !== null) return;
        attempt('iteration', () => runtime.iterate(name, scenario, index + 1, () => fn(copy())), name);
        (scenarios[index] as { ran: boolean }).ran = true;
      });
    }
    const teardown = exported('teardown');
    if (teardown && aborted === null) runtime.inPhase('teardown', () => attempt('teardown', () => teardown(copy())));

    const durationMs = Date.now() - started;
    results = thresholds.map((threshold) => evaluateThreshold(threshold, runtime.registry, durationMs / 1000));
    const handleSummary = exported('handleSummary');
    if (handleSummary) {
      const data = summaryData(runtime.registry, runtime.rootGroup, results, durationMs, options.summaryTrendStats);
      const outputs =
        runtime.inPhase('summary', () => attempt('handleSummary', () => handleSummary(data) as Record<string, unknown>)) ?? {};
      for (const [path, content] of Object.entries(outputs)) {
        if (path === 'stdout' || path === 'stderr') {
          (path === 'stdout' ? process.stdout : process.stderr).write(String(content));
          continue;
        }
        summaryFiles.push(path);
        // As k6: the file is created, its folder is not.
        attempt('handleSummary', () => writeFileSync(path, String(content)));
      }
    }
  }

  return {
    script: scriptPath,
    aborted,
    errors,
    failures: runtime.failures,
    scenarios,
    checks: collectChecks(runtime.rootGroup),
    requests: runtime.requests,
    thresholds: results.map(({ threshold, samples, value, ok }) => ({
      key: threshold.key,
      source: threshold.source,
      abortOnFail: threshold.abortOnFail,
      measured: !NOT_MEASURED.has(threshold.metric),
      timing: runtime.registry.definitions.get(threshold.metric)?.contains === 'time',
      samples,
      value,
      ok,
    })),
    summaryFiles,
  };
}

function collectChecks(group: K6Runtime['rootGroup']): AdapterResult['checks'] {
  return [
    ...[...group.checks.values()].map(({ path, passes, fails }) => ({ path, passes, fails })),
    ...[...group.groups.values()].flatMap(collectChecks),
  ];
}

/** `node dist/adapter/run-once.js <script.ts> [--result <file>]`; the environment is the script's __ENV. */
async function main(): Promise<void> {
  const [scriptPath, flag, resultPath] = process.argv.slice(2);
  if (!scriptPath || (flag !== undefined && (flag !== '--result' || !resultPath))) {
    process.stderr.write('usage: run-once <script.ts> [--result <file>]\n');
    process.exit(2);
  }
  const result = await runOnce(
    scriptPath,
    Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined)),
  );
  if (resultPath) writeFileSync(resultPath, JSON.stringify(result, null, 2));
  const found = problems(result, { timing: true });
  for (const problem of found) process.stderr.write(`[k6 adapter] ${problem}\n`);
  process.exit(found.length === 0 ? 0 : 1);
}

if (require.main === module) void main();
