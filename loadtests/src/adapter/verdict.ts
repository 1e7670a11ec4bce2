import type { AdapterResult } from './run-once';

/**
 * What is wrong with a run, one line each; none means the journeys work against the API. Stricter
 * than k6 in one way: a threshold whose (sub-)metric got no sample at all is a problem, because k6
 * passes it silently (a misspelt tag makes a threshold that can never fail).
 */
export function problems(result: AdapterResult, options: { readonly timing: boolean }): string[] {
  return [
    ...(result.aborted ? [`aborted: ${result.aborted}`] : []),
    ...result.errors.map((error) => `${error.phase}${error.scenario ? ` (${error.scenario})` : ''}: ${error.message}`),
    ...result.failures.map((failure) => `test.fail: ${failure}`),
    ...result.scenarios.filter((scenario) => !scenario.ran).map((scenario) => `scenario ${scenario.name} did not run`),
    ...result.checks.filter((check) => check.fails > 0).map((check) => `check failed ${check.fails}x: ${check.path}`),
    ...result.requests
      .filter((request) => !request.expected)
      .map((request) => `request failed: ${request.method} ${request.url} → ${request.status}${request.error ? ` ${request.error}` : ''}`),
    ...result.thresholds
      .filter((threshold) => threshold.measured && threshold.samples === 0)
      .map((threshold) => `threshold watches nothing (no sample): ${threshold.key} ${threshold.source}`),
    ...result.thresholds
      .filter((threshold) => threshold.measured && threshold.samples > 0 && !threshold.ok && (options.timing || !threshold.timing))
      .map((threshold) => `threshold crossed: ${threshold.key} ${threshold.source} (${Number(threshold.value.toFixed(2))})`),
  ];
}
