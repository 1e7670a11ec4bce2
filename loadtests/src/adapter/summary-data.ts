import type { GroupNode } from './k6-runtime';
import { aggregate, pathId, type MetricRegistry } from './metrics';
import type { ThresholdResult } from './thresholds';

const DEFAULT_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];

function exportGroup(group: GroupNode): Record<string, unknown> {
  return {
    name: group.name,
    path: group.path,
    id: pathId(group.path),
    groups: [...group.groups.values()].map(exportGroup),
    checks: [...group.checks.values()].map((check) => ({ ...check, id: pathId(check.path) })),
  };
}

/**
 * The object k6 hands handleSummary(): every metric that got samples and every sub-metric a
 * threshold names, with k6's values per type and each threshold's verdict.
 */
export function summaryData(
  registry: MetricRegistry,
  rootGroup: GroupNode,
  results: readonly ThresholdResult[],
  durationMs: number,
  trendStats: readonly string[] = DEFAULT_TREND_STATS,
): Record<string, unknown> {
  const metrics: Record<string, unknown> = {};
  const keys = new Map<string, { metric: string; filter: Readonly<Record<string, string>> }>();
  for (const sample of registry.samples) keys.set(sample.metric, { metric: sample.metric, filter: {} });
  for (const { threshold } of results) keys.set(threshold.key, { metric: threshold.metric, filter: threshold.filter });
  for (const [key, { metric, filter }] of keys) {
    const definition = registry.definitions.get(metric);
    if (!definition) continue;
    const verdicts = results.filter((result) => result.threshold.key === key);
    metrics[key] = {
      type: definition.type,
      contains: definition.contains,
      values: aggregate(definition, registry.select(metric, filter), durationMs / 1000, trendStats),
      ...(verdicts.length > 0
        ? { thresholds: Object.fromEntries(verdicts.map((result) => [result.threshold.source, { ok: result.ok }])) }
        : {}),
    };
  }
  return {
    root_group: exportGroup(rootGroup),
    options: { summaryTrendStats: [...trendStats], summaryTimeUnit: '', noColor: true },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: durationMs },
    metrics,
  };
}
