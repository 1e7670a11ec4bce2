import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSyncFn } from 'synckit';
import { MetricRegistry, type MetricType, type Tags } from './metrics';
import type { WireRequest, WireResponse } from './wire';

/** The parts of a script's `options` the adapter reads. */
export interface ScriptOptions {
  readonly scenarios?: Readonly<Record<string, ScenarioOptions>>;
  readonly thresholds?: Readonly<Record<string, unknown>>;
  readonly tags?: Readonly<Record<string, string>>;
  readonly summaryTrendStats?: readonly string[];
}

export interface ScenarioOptions {
  readonly executor: string;
  readonly exec?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly env?: Readonly<Record<string, string>>;
}

export type Phase = 'init' | 'setup' | 'iteration' | 'teardown' | 'summary';

interface ScenarioState {
  readonly name: string;
  readonly executor: string;
  readonly tags: Tags;
  readonly vuIdInTest: number;
  readonly startedAt: number;
}

interface CheckNode {
  readonly name: string;
  readonly path: string;
  passes: number;
  fails: number;
}

export interface GroupNode {
  readonly name: string;
  readonly path: string;
  readonly groups: Map<string, GroupNode>;
  readonly checks: Map<string, CheckNode>;
}

export interface RequestRecord {
  readonly phase: Phase;
  readonly scenario: string | null;
  readonly group: string;
  readonly method: string;
  readonly url: string;
  readonly tags: Tags;
  /** The request's headers, with the bearer token cut off. */
  readonly headers: Readonly<Record<string, string>>;
  readonly status: number;
  readonly expected: boolean;
  readonly durationMs: number;
  readonly error?: string;
}

/** exec.test.abort(): ends the whole test (k6 exits with code 108). */
export class TestAborted extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TestAborted';
  }
}

/** k6 API the adapter does not provide: running it fails loudly rather than pretending. */
class NotCovered extends Error {
  constructor(what: string) {
    super(`${what} is not covered by the k6 adapter (see loadtests/README.md); run the script with k6 itself`);
    this.name = 'NotCovered';
  }
}

interface ExpectedStatuses {
  readonly ranges: readonly { readonly min: number; readonly max: number }[];
}

const DEFAULT_EXPECTED: ExpectedStatuses = { ranges: [{ min: 200, max: 399 }] };
const HTTP_PARAMS = new Set(['headers', 'tags', 'timeout', 'responseType', 'responseCallback']);
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function blockFor(ms: number): void {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

/** Go's canonical header key, which k6 uses for response headers: `content-type` → `Content-Type`. */
function canonicalHeader(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('-');
}

function durationMs(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return value;
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value) : null;
  if (!match) throw new Error(`Invalid timeout ${JSON.stringify(value)}`);
  return Number(match[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const)[match[2] as 'ms' | 's' | 'm' | 'h'];
}

function newGroup(name: string, path: string): GroupNode {
  return { name, path, groups: new Map(), checks: new Map() };
}

/**
 * The state of one k6 run in this process, and the k6 modules (k6, k6/http, k6/metrics,
 * k6/execution, k6/data, k6/encoding) and globals (__ENV, __VU, __ITER, open) that a script sees.
 * Each module call behaves as in k6 for the arguments the Storefront scripts use; other arguments
 * raise NotCovered.
 */
export class K6Runtime {
  phase: Phase = 'init';
  options: ScriptOptions = {};
  readonly registry = new MetricRegistry();
  readonly rootGroup = newGroup('', '');
  readonly requests: RequestRecord[] = [];
  /** exec.test.fail() messages: the run goes on but ends failed. */
  readonly failures: string[] = [];
  private scenario: ScenarioState | undefined;
  private groupPath = '';
  private iteration = 0;
  private defaultExpected = DEFAULT_EXPECTED;
  private readonly fetchSync: (request: WireRequest) => WireResponse;

  constructor(
    readonly env: Record<string, string>,
    httpWorkerPath: string,
  ) {
    this.fetchSync = createSyncFn(httpWorkerPath, { timeout: 10 * 60_000 });
  }

  /** Runs `fn` as the given phase (setup and teardown run in k6's `::setup` / `::teardown` groups). */
  inPhase<T>(phase: Phase, fn: () => T): T {
    this.phase = phase;
    this.groupPath = phase === 'setup' || phase === 'teardown' ? `::${phase}` : '';
    if (phase === 'setup' || phase === 'teardown') this.groupNode(this.groupPath);
    this.setGlobals(0, 0);
    return fn();
  }

  /** Runs one iteration of a scenario's function as VU `vuIdInTest`, recording iteration metrics. */
  iterate(name: string, scenario: ScenarioOptions, vuIdInTest: number, fn: () => void): void {
    this.phase = 'iteration';
    this.scenario = { name, executor: scenario.executor, tags: { ...scenario.tags }, vuIdInTest, startedAt: Date.now() };
    this.groupPath = '';
    this.iteration = 0;
    this.setGlobals(vuIdInTest, 0);
    const started = performance.now();
    try {
      fn();
    } finally {
      const tags = this.tags({});
      this.registry.add('iterations', 1, tags);
      this.registry.add('iteration_duration', performance.now() - started, tags);
    }
  }

  private setGlobals(vu: number, iteration: number): void {
    const global = globalThis as Record<string, unknown>;
    global.__ENV = this.env;
    global.__VU = vu;
    global.__ITER = iteration;
  }

  /** The tags every sample carries now: test-wide, scenario, group, and the call's own. */
  private tags(extra: Readonly<Record<string, string>>): Tags {
    return {
      ...this.options.tags,
      ...this.scenario?.tags,
      group: this.groupPath,
      ...(this.phase === 'iteration' && this.scenario ? { scenario: this.scenario.name } : {}),
      ...extra,
    };
  }

  private groupNode(path: string): GroupNode {
    let node = this.rootGroup;
    let current = '';
    for (const name of path.split('::').slice(1)) {
      current = `${current}::${name}`;
      let child = node.groups.get(name);
      if (!child) {
        child = newGroup(name, current);
        node.groups.set(name, child);
      }
      node = child;
    }
    return node;
  }

  requireInit(what: string): void {
    if (this.phase !== 'init') throw new Error(`${what} is only available in the init context (the script's top level), as in k6`);
  }

  /** open(path[, 'b']): a file read in the init context. Relative paths resolve against the working directory. */
  open = (path: string, mode?: string): string | ArrayBuffer => {
    this.requireInit('open()');
    const data = readFileSync(resolve(path));
    if (mode === 'b') return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    if (mode !== undefined) throw new NotCovered(`open() mode "${mode}"`);
    return data.toString('utf8');
  };

  check(value: unknown, sets: Record<string, unknown>, tags: Record<string, string> = {}): boolean {
    let all = true;
    for (const [name, checker] of Object.entries(sets)) {
      if (name.includes('::')) throw new Error(`Check names may not contain "::": ${name}`);
      const passed = Boolean(typeof checker === 'function' ? (checker as (v: unknown) => unknown)(value) : checker);
      const node = this.groupNode(this.groupPath);
      const path = `${this.groupPath}::${name}`;
      const record = node.checks.get(name) ?? { name, path, passes: 0, fails: 0 };
      node.checks.set(name, record);
      if (passed) record.passes += 1;
      else record.fails += 1;
      this.registry.add('checks', passed ? 1 : 0, this.tags({ check: name, ...tags }));
      all &&= passed;
    }
    return all;
  }

  group<T>(name: string, fn: () => T): T {
    if (name.includes('::')) throw new Error(`Group names may not contain "::": ${name}`);
    const parent = this.groupPath;
    this.groupPath = `${parent}::${name}`;
    this.groupNode(this.groupPath);
    const started = performance.now();
    try {
      const result = fn();
      if (result instanceof Promise) throw new NotCovered('group() with an async function');
      return result;
    } finally {
      this.registry.add('group_duration', performance.now() - started, this.tags({}));
      this.groupPath = parent;
    }
  }

  request(method: string, url: unknown, body?: unknown, params?: Record<string, unknown> | null): Record<string, unknown> {
    if (this.phase === 'init') throw new Error('Making HTTP requests in the init context is not supported (k6 refuses it too)');
    if (typeof url !== 'string') throw new NotCovered('http.url`…` and URL objects');
    for (const key of Object.keys(params ?? {})) if (!HTTP_PARAMS.has(key)) throw new NotCovered(`the "${key}" request parameter`);
    const headers: Record<string, string> = {
      'user-agent': 'storefront-k6-adapter',
      ...(params?.headers as Record<string, string> | undefined),
    };
    let payload: string | undefined;
    if (typeof body === 'string') payload = body;
    else if (body !== undefined && body !== null) {
      if (body instanceof ArrayBuffer || typeof body !== 'object') throw new NotCovered('binary request bodies');
      // k6 sends an object body as a form.
      payload = new URLSearchParams(
        Object.entries(body as Record<string, unknown>).map(([k, v]): [string, string] => [k, String(v)]),
      ).toString();
      if (!Object.keys(headers).some((key) => key.toLowerCase() === 'content-type'))
        headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const responseType = params?.responseType ?? 'text';
    if (responseType !== 'text' && responseType !== 'none') throw new NotCovered(`responseType ${JSON.stringify(responseType)}`);

    const wire = this.fetchSync({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
      timeoutMs: durationMs(params?.timeout, 60_000),
    });
    const expected = ((params?.responseCallback as ExpectedStatuses | undefined) ?? this.defaultExpected).ranges.some(
      (range) => wire.status >= range.min && wire.status <= range.max,
    );
    const requestTags = (params?.tags as Record<string, string> | undefined) ?? {};
    const tags = this.tags({
      proto: 'HTTP/1.1',
      method,
      url,
      name: url,
      status: String(wire.status),
      expected_response: String(expected),
      ...(wire.errorCode ? { error_code: String(wire.errorCode) } : {}),
      ...requestTags,
    });
    this.registry.add('http_reqs', 1, tags);
    this.registry.add('http_req_duration', wire.durationMs, tags);
    this.registry.add('http_req_failed', expected ? 0 : 1, tags);
    this.requests.push({
      phase: this.phase,
      scenario: this.scenario && this.phase === 'iteration' ? this.scenario.name : null,
      group: this.groupPath,
      method,
      url,
      tags,
      headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, /^bearer /i.test(value) ? 'Bearer …' : value])),
      status: wire.status,
      expected,
      durationMs: wire.durationMs,
      ...(wire.error ? { error: wire.error } : {}),
    });

    const responseHeaders: Record<string, string> = {};
    for (const [name, value] of wire.headers) {
      const key = canonicalHeader(name);
      responseHeaders[key] = responseHeaders[key] === undefined ? value : `${responseHeaders[key]}, ${value}`;
    }
    const responseBody = responseType === 'none' ? null : wire.body;
    return {
      status: wire.status,
      status_text: wire.status === 0 ? '' : `${wire.status} ${wire.statusText}`,
      url: wire.url,
      body: responseBody,
      headers: responseHeaders,
      error: wire.error ?? '',
      error_code: wire.errorCode ?? 0,
      proto: 'HTTP/1.1',
      timings: { duration: wire.durationMs },
      request: { method, url, headers, body: payload ?? '' },
      json: (selector?: string) => {
        if (selector !== undefined) throw new NotCovered('Response.json(selector)');
        return JSON.parse(responseBody ?? '') as unknown;
      },
    };
  }

  /** The VU running now: id 0 outside iterations (setup, teardown), as in k6. */
  vu(): { idInTest: number; iteration: number } {
    return this.scenario && this.phase === 'iteration'
      ? { idInTest: this.scenario.vuIdInTest, iteration: this.iteration }
      : { idInTest: 0, iteration: 0 };
  }

  /** The scenario running now; k6 refuses to tell outside a VU's iteration. */
  currentScenario(): ScenarioState & { iteration: number } {
    if (!this.scenario || this.phase !== 'iteration')
      throw new Error('Getting scenario information outside of the VU context is not supported (as in k6)');
    return { ...this.scenario, iteration: this.iteration };
  }

  setDefaultExpected(expected: ExpectedStatuses): void {
    this.defaultExpected = expected;
  }

  /** Adds a sample to a custom metric, with the tags of this moment. */
  addMetric(name: string, value: number, tags: Readonly<Record<string, string>>): void {
    if (this.phase === 'init') throw new Error('Adding to a metric in the init context is not supported (k6 refuses it too)');
    this.registry.add(name, value, this.tags(tags));
  }
}

function expectedStatuses(...statuses: (number | { min: number; max: number })[]): ExpectedStatuses {
  return { ranges: statuses.map((status) => (typeof status === 'number' ? { min: status, max: status } : status)) };
}

function metricClass(runtime: K6Runtime, type: MetricType) {
  return class {
    readonly name: string;
    constructor(name: string, isTime = false) {
      runtime.requireInit('Creating a custom metric');
      runtime.registry.declare(name, type, isTime);
      this.name = name;
    }

    add(value: number | boolean, tags: Record<string, string> = {}): void {
      const number = type === 'rate' ? (value ? 1 : 0) : Number(value);
      if (!Number.isFinite(number)) throw new Error(`${this.name}.add(${String(value)}): not a number`);
      runtime.addMetric(this.name, number, tags);
    }
  };
}

function execution(runtime: K6Runtime) {
  return {
    vu: {
      get idInTest() {
        return runtime.vu().idInTest;
      },
      get idInInstance() {
        return runtime.vu().idInTest;
      },
      get iterationInInstance() {
        return runtime.vu().iteration;
      },
      get iterationInScenario() {
        return runtime.vu().iteration;
      },
      tags: {},
      metrics: { tags: {}, metadata: {} },
    },
    scenario: {
      get name() {
        return runtime.currentScenario().name;
      },
      get executor() {
        return runtime.currentScenario().executor;
      },
      get startTime() {
        return runtime.currentScenario().startedAt;
      },
      get progress() {
        return 0;
      },
      get iterationInInstance() {
        return runtime.currentScenario().iteration;
      },
      get iterationInTest() {
        return runtime.currentScenario().iteration;
      },
    },
    instance: { iterationsInterrupted: 0, iterationsCompleted: 0, vusActive: 1, vusInitialized: 1, currentTestRunDuration: 0 },
    test: {
      abort(message?: string): never {
        throw new TestAborted(message ?? 'test aborted');
      },
      fail(message?: string): void {
        runtime.failures.push(message ?? 'test failed');
      },
      get options() {
        return runtime.options;
      },
    },
  };
}

/** k6's SharedArray is a constructor whose `new` returns the (read-only) array. */
function sharedArray(runtime: K6Runtime) {
  return function SharedArray(name: string, fn: () => unknown[]): readonly unknown[] {
    runtime.requireInit(`SharedArray "${name}"`);
    const items = fn();
    if (!Array.isArray(items)) throw new Error(`SharedArray "${name}": the function must return an array`);
    // k6 keeps each element as JSON and hands out read-only copies.
    return Object.freeze(items.map((item) => Object.freeze(JSON.parse(JSON.stringify(item)) as unknown)));
  };
}

const BASE64: Record<string, BufferEncoding> = { std: 'base64', rawstd: 'base64', url: 'base64url', rawurl: 'base64url' };

function base64(variant = 'std'): BufferEncoding {
  const chosen = BASE64[variant];
  if (!chosen) throw new Error(`Unknown base64 variant "${variant}"`);
  return chosen;
}

/** The k6 modules a script can import, by specifier, over one runtime. */
export function k6Modules(runtime: K6Runtime): Record<string, Record<string, unknown>> {
  type Params = Record<string, unknown> | undefined;
  return {
    k6: {
      check: (value: unknown, sets: Record<string, unknown>, tags?: Record<string, string>) => runtime.check(value, sets, tags),
      group: <T>(name: string, fn: () => T) => runtime.group(name, fn),
      sleep: (seconds: number) => blockFor(seconds * 1000),
      fail: (message?: string) => {
        throw new Error(message ?? 'fail() called');
      },
    },
    'k6/http': {
      request: (method: string, url: unknown, body?: unknown, params?: Params) => runtime.request(method.toUpperCase(), url, body, params),
      get: (url: unknown, params?: Params) => runtime.request('GET', url, undefined, params),
      head: (url: unknown, params?: Params) => runtime.request('HEAD', url, undefined, params),
      post: (url: unknown, body?: unknown, params?: Params) => runtime.request('POST', url, body, params),
      put: (url: unknown, body?: unknown, params?: Params) => runtime.request('PUT', url, body, params),
      patch: (url: unknown, body?: unknown, params?: Params) => runtime.request('PATCH', url, body, params),
      del: (url: unknown, body?: unknown, params?: Params) => runtime.request('DELETE', url, body, params),
      options: (url: unknown, body?: unknown, params?: Params) => runtime.request('OPTIONS', url, body, params),
      expectedStatuses,
      setResponseCallback: (callback: ExpectedStatuses) => runtime.setDefaultExpected(callback),
    },
    'k6/metrics': {
      Counter: metricClass(runtime, 'counter'),
      Gauge: metricClass(runtime, 'gauge'),
      Rate: metricClass(runtime, 'rate'),
      Trend: metricClass(runtime, 'trend'),
    },
    'k6/execution': execution(runtime),
    'k6/data': { SharedArray: sharedArray(runtime) },
    'k6/encoding': {
      b64decode: (input: string, variant?: string, format?: string) => {
        const bytes = Buffer.from(input, base64(variant));
        return format === 's' ? bytes.toString('utf8') : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      },
      b64encode: (input: string | ArrayBuffer, variant = 'std') => {
        const text = (typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(new Uint8Array(input))).toString(
          base64(variant),
        );
        if (variant === 'rawstd') return text.replace(/=+$/, '');
        return variant === 'url' ? text.padEnd(Math.ceil(text.length / 4) * 4, '=') : text;
      },
    },
  };
}
