import { createHash } from 'node:crypto';

/** k6's four metric types and what their values mean. */
export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';
type MetricContains = 'default' | 'time' | 'data';

export interface MetricDefinition {
  readonly name: string;
  readonly type: MetricType;
  readonly contains: MetricContains;
}

export type Tags = Readonly<Record<string, string>>;

export interface Sample {
  readonly metric: string;
  readonly value: number;
  readonly tags: Tags;
}

/** The built-in metrics the adapter measures (k6 has more; see BUILTIN_NOT_MEASURED). */
const BUILTIN_MEASURED: readonly MetricDefinition[] = [
  { name: 'http_reqs', type: 'counter', contains: 'default' },
  { name: 'http_req_duration', type: 'trend', contains: 'time' },
  { name: 'http_req_failed', type: 'rate', contains: 'default' },
  { name: 'checks', type: 'rate', contains: 'default' },
  { name: 'iterations', type: 'counter', contains: 'default' },
  { name: 'iteration_duration', type: 'trend', contains: 'time' },
  { name: 'group_duration', type: 'trend', contains: 'time' },
];

/** Built-in k6 metrics that only a real k6 run produces: scheduling, connection phases, bytes. */
export const BUILTIN_NOT_MEASURED: readonly MetricDefinition[] = [
  { name: 'vus', type: 'gauge', contains: 'default' },
  { name: 'vus_max', type: 'gauge', contains: 'default' },
  { name: 'dropped_iterations', type: 'counter', contains: 'default' },
  { name: 'data_sent', type: 'counter', contains: 'data' },
  { name: 'data_received', type: 'counter', contains: 'data' },
  ...['blocked', 'connecting', 'tls_handshaking', 'sending', 'waiting', 'receiving'].map((phase): MetricDefinition => ({
    name: `http_req_${phase}`,
    type: 'trend',
    contains: 'time',
  })),
];

// k6 refuses other names for custom metrics (they must be valid Prometheus names).
const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/;

/** Every metric sample of a run, as k6 would emit it, and the metrics declared for it. */
export class MetricRegistry {
  readonly definitions = new Map<string, MetricDefinition>();
  readonly samples: Sample[] = [];

  constructor() {
    for (const definition of [...BUILTIN_MEASURED, ...BUILTIN_NOT_MEASURED]) this.definitions.set(definition.name, definition);
  }

  declare(name: string, type: MetricType, isTime: boolean): void {
    if (!METRIC_NAME.test(name))
      throw new Error(`Invalid metric name "${name}": k6 needs letters, digits and "_", not starting with a digit`);
    const existing = this.definitions.get(name);
    if (existing && existing.type !== type) throw new Error(`Metric "${name}" already exists as a ${existing.type}, not a ${type}`);
    this.definitions.set(name, { name, type, contains: isTime ? 'time' : 'default' });
  }

  add(metric: string, value: number, tags: Tags): void {
    if (!this.definitions.has(metric)) throw new Error(`No metric named "${metric}"`);
    this.samples.push({ metric, value, tags });
  }

  /** The samples of `metric` whose tags include every pair of `filter` (a k6 sub-metric). */
  select(metric: string, filter: Tags = {}): number[] {
    const pairs = Object.entries(filter);
    return this.samples
      .filter((sample) => sample.metric === metric && pairs.every(([key, value]) => sample.tags[key] === value))
      .map((sample) => sample.value);
  }
}

/** A percentile as k6's trend sink computes it: linear interpolation between the nearest ranks. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const index = fraction * (sorted.length - 1);
  const lower = sorted[Math.floor(index)] as number;
  const upper = sorted[Math.ceil(index)] as number;
  return lower + (upper - lower) * (index - Math.floor(index));
}

/** The values k6 reports for a metric in its summary data. */
export function aggregate(
  definition: MetricDefinition,
  values: readonly number[],
  durationSeconds: number,
  trendStats: readonly string[],
): Record<string, number> {
  switch (definition.type) {
    case 'counter': {
      const count = values.reduce((sum, value) => sum + value, 0);
      return { count, rate: durationSeconds > 0 ? count / durationSeconds : 0 };
    }
    case 'gauge':
      return values.length === 0
        ? { value: 0, min: 0, max: 0 }
        : { value: values.at(-1) as number, min: Math.min(...values), max: Math.max(...values) };
    case 'rate': {
      const passes = values.filter((value) => value !== 0).length;
      return { rate: values.length === 0 ? 0 : passes / values.length, passes, fails: values.length - passes };
    }
    case 'trend': {
      const sorted = [...values].sort((a, b) => a - b);
      const result: Record<string, number> = {};
      for (const stat of trendStats) {
        const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
        if (p) result[stat] = percentile(sorted, Number(p[1]) / 100);
        else if (stat === 'avg') result[stat] = sorted.length === 0 ? 0 : sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
        else if (stat === 'min') result[stat] = sorted[0] ?? 0;
        else if (stat === 'max') result[stat] = sorted.at(-1) ?? 0;
        else if (stat === 'med') result[stat] = percentile(sorted, 0.5);
        else if (stat === 'count') result[stat] = sorted.length;
        else throw new Error(`Unknown summaryTrendStats entry "${stat}"`);
      }
      return result;
    }
  }
}

/** k6 names groups and checks by an md5 of their path. */
export function pathId(path: string): string {
  return createHash('md5').update(path).digest('hex');
}
