import { aggregate, type MetricRegistry, type MetricType, type Tags } from './metrics';

/** One threshold expression of `options.thresholds`, parsed as k6 parses it. */
export interface Threshold {
  /** The key in options.thresholds: a metric, optionally with a tag filter (`http_req_duration{endpoint:browse}`). */
  readonly key: string;
  readonly metric: string;
  readonly filter: Tags;
  /** The expression as written, e.g. `p(95)<500`. */
  readonly source: string;
  readonly aggregation: string;
  readonly operator: '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';
  readonly limit: number;
  readonly abortOnFail: boolean;
}

const AGGREGATIONS: Record<MetricType, RegExp> = {
  counter: /^(count|rate)$/,
  gauge: /^value$/,
  rate: /^rate$/,
  trend: /^(avg|min|max|med|p\(\d+(\.\d+)?\))$/,
};

const EXPRESSION = /^\s*([a-z]+(?:\(\s*\d+(?:\.\d+)?\s*\))?)\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/;

class ThresholdError extends Error {
  constructor(key: string, reason: string) {
    super(`invalid threshold defined on ${key}; reason: ${reason}`);
    this.name = 'ThresholdError';
  }
}

function parseKey(key: string): { metric: string; filter: Tags } {
  const match = /^([^{}]+?)\s*(?:\{(.*)\})?$/.exec(key);
  if (!match) throw new ThresholdError(key, 'not a metric name with an optional {tag:value} filter');
  const filter: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',').filter((part) => part.trim() !== '')) {
    const colon = pair.indexOf(':');
    if (colon <= 0) throw new ThresholdError(key, `"${pair}" is not a tag:value pair`);
    filter[pair.slice(0, colon).trim()] = pair.slice(colon + 1).trim();
  }
  return { metric: (match[1] as string).trim(), filter };
}

/**
 * Parses options.thresholds and refuses what k6 refuses at start-up: an unknown metric, an
 * expression that does not parse, an aggregation the metric's type does not have.
 */
export function parseThresholds(thresholds: Readonly<Record<string, unknown>>, registry: MetricRegistry): Threshold[] {
  const parsed: Threshold[] = [];
  for (const [key, list] of Object.entries(thresholds)) {
    const { metric, filter } = parseKey(key);
    const definition = registry.definitions.get(metric);
    if (!definition) throw new ThresholdError(key, `no metric name "${metric}" found`);
    if (!Array.isArray(list)) throw new ThresholdError(key, 'thresholds must be an array');
    for (const entry of list as unknown[]) {
      const object = typeof entry === 'object' && entry !== null ? (entry as { threshold?: unknown; abortOnFail?: unknown }) : undefined;
      const source = object ? object.threshold : entry;
      if (typeof source !== 'string')
        throw new ThresholdError(key, 'a threshold is a string or { threshold, abortOnFail, delayAbortEval }');
      const match = EXPRESSION.exec(source);
      if (!match) throw new ThresholdError(key, `"${source}" is not "<aggregation> <operator> <number>"`);
      const aggregation = (match[1] as string).replace(/\s+/g, '');
      if (!AGGREGATIONS[definition.type].test(aggregation)) {
        throw new ThresholdError(key, `the "${aggregation}" aggregation is not valid for a ${definition.type} metric`);
      }
      parsed.push({
        key,
        metric,
        filter,
        source,
        aggregation,
        operator: match[2] as Threshold['operator'],
        limit: Number(match[3]),
        abortOnFail: object?.abortOnFail === true,
      });
    }
  }
  return parsed;
}

export interface ThresholdResult {
  readonly threshold: Threshold;
  /** How many samples the (sub-)metric got. */
  readonly samples: number;
  /** The aggregated value compared with the limit. */
  readonly value: number;
  readonly ok: boolean;
}

function compare(value: number, operator: Threshold['operator'], limit: number): boolean {
  switch (operator) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
    case '===':
      return value === limit;
    case '!=':
      return value !== limit;
  }
}

export function evaluateThreshold(threshold: Threshold, registry: MetricRegistry, durationSeconds: number): ThresholdResult {
  const definition = registry.definitions.get(threshold.metric);
  if (!definition) throw new ThresholdError(threshold.key, `no metric name "${threshold.metric}" found`);
  const values = registry.select(threshold.metric, threshold.filter);
  const aggregated = aggregate(definition, values, durationSeconds, [threshold.aggregation]);
  const value = aggregated[threshold.aggregation] ?? 0;
  return { threshold, samples: values.length, value, ok: compare(value, threshold.operator, threshold.limit) };
}
