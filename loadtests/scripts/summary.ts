// handleSummary(): a JSON file (k6's summary data as is), a self-contained HTML report (no scripts, no
// fonts or styles from elsewhere: it opens offline and from a CI artifact) and a short text on stdout.
import { config } from './config.ts';

/** The trend statistics every summary carries (`count` gives requests per endpoint group). */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

// The shape of k6's summary data (see k6's "Custom summary" documentation; @types/k6 has no type for it).
interface MetricSummary {
  readonly type: 'counter' | 'gauge' | 'rate' | 'trend';
  readonly contains: 'default' | 'time' | 'data';
  readonly values: Record<string, number>;
  readonly thresholds?: Record<string, { readonly ok: boolean }>;
}

interface CheckSummary {
  readonly name: string;
  readonly path: string;
  readonly passes: number;
  readonly fails: number;
}

interface GroupSummary {
  readonly name: string;
  readonly path: string;
  readonly groups: GroupSummary[];
  readonly checks: CheckSummary[];
}

export interface SummaryData {
  readonly metrics: Record<string, MetricSummary>;
  readonly root_group: GroupSummary;
  readonly state: { readonly testRunDurationMs: number };
}

interface ThresholdRow {
  readonly metric: string;
  readonly source: string;
  readonly ok: boolean;
  readonly value: string;
}

const ENDPOINT_METRIC = /^http_req_duration\{endpoint:([a-z_]+)\}$/;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function formatValue(metric: MetricSummary | undefined, key: string): string {
  const value = metric?.values[key];
  if (metric === undefined || value === undefined) return '–';
  if (key === 'rate') return metric.type === 'rate' ? `${(value * 100).toFixed(2)} %` : `${value.toFixed(2)}/s`;
  if (metric.contains === 'time' && key !== 'count') return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function thresholdRows(data: SummaryData): ThresholdRow[] {
  const rows: ThresholdRow[] = [];
  for (const [metric, summary] of Object.entries(data.metrics)) {
    for (const [source, { ok }] of Object.entries(summary.thresholds ?? {})) {
      const aggregation = /^\s*([a-z]+(?:\([\d.]+\))?)/.exec(source)?.[1] ?? '';
      rows.push({ metric, source, ok, value: `${aggregation}=${formatValue(summary, aggregation)}` });
    }
  }
  return rows.sort((a, b) => Number(a.ok) - Number(b.ok) || a.metric.localeCompare(b.metric));
}

function allChecks(group: GroupSummary): CheckSummary[] {
  return [...group.checks, ...group.groups.flatMap(allChecks)];
}

function endpointRows(data: SummaryData) {
  return Object.keys(data.metrics)
    .map((name) => ENDPOINT_METRIC.exec(name)?.[1])
    .filter((endpoint): endpoint is string => endpoint !== undefined)
    .sort()
    .map((endpoint) => ({
      endpoint,
      duration: data.metrics[`http_req_duration{endpoint:${endpoint}}`],
      failed: data.metrics[`http_req_failed{endpoint:${endpoint}}`],
    }));
}

function orderFacts(data: SummaryData): [string, string][] {
  if (!data.metrics.orders_placed) return [];
  // A counter that never got a sample is absent from the data: none happened.
  const count = (name: string) => (data.metrics[name] ? formatValue(data.metrics[name], 'count') : '0');
  const confirm = data.metrics.order_time_to_confirmed;
  return [
    ['placed', count('orders_placed')],
    ['confirmed', count('orders_confirmed')],
    ['cancelled', count('orders_cancelled')],
    ['rejected', count('orders_rejected')],
    ['not final in time', count('orders_unfinished')],
    ['ended as the payment token says', formatValue(data.metrics.orders_expected_outcome, 'rate')],
    ['placed → confirmed p50 / p95 / p99', ['med', 'p(95)', 'p(99)'].map((key) => formatValue(confirm, key)).join(' / ')],
  ];
}

function text(scenario: string, data: SummaryData, files: string[]): string {
  const thresholds = thresholdRows(data);
  const failed = thresholds.filter((row) => !row.ok);
  const checks = allChecks(data.root_group);
  const lines = [
    '',
    `storefront ${scenario}: ${(data.state.testRunDurationMs / 1000).toFixed(1)} s, ${formatValue(data.metrics.http_reqs, 'count')} requests, ` +
      `${formatValue(data.metrics.http_req_failed, 'rate')} failed`,
    `thresholds: ${thresholds.length - failed.length} of ${thresholds.length} passed`,
    ...failed.map((row) => `  ✗ ${row.metric} ${row.source} (${row.value})`),
    `checks: ${checks.reduce((sum, c) => sum + c.passes, 0)} passed, ${checks.reduce((sum, c) => sum + c.fails, 0)} failed`,
    ...checks.filter((c) => c.fails > 0).map((c) => `  ✗ ${c.path.replace(/^::/, '')}: ${c.fails} of ${c.passes + c.fails} failed`),
    'endpoint          requests   failed       p95       p99',
    ...endpointRows(data).map(({ endpoint, duration, failed: fails }) =>
      [
        endpoint.padEnd(16),
        formatValue(duration, 'count').padStart(9),
        formatValue(fails, 'rate').padStart(9),
        formatValue(duration, 'p(95)').padStart(9),
        formatValue(duration, 'p(99)').padStart(9),
      ].join(' '),
    ),
    ...orderFacts(data).map(([label, value]) => `orders ${label}: ${value}`),
    `reports: ${files.join(', ')}`,
    '',
  ];
  return lines.join('\n');
}

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:64rem;padding:0 1rem;color:#1d2430}
h1{margin:0 0 .25rem}h2{margin-top:2rem;border-bottom:1px solid #d8dde6;padding-bottom:.25rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #eef0f4}
td.n{text-align:right;font-variant-numeric:tabular-nums}.pass{color:#176b2c}.fail{color:#b3261e;font-weight:600}
.verdict{font-size:1.2rem;padding:.5rem .8rem;border-radius:.4rem;display:inline-block}
.verdict.pass{background:#e4f4e8}.verdict.fail{background:#fbe5e3}
.bar{height:.7rem;background:#5b7bd5;border-radius:.2rem;min-width:1px}.muted{color:#6b7585}`;

function html(scenario: string, data: SummaryData): string {
  const thresholds = thresholdRows(data);
  const failed = thresholds.filter((row) => !row.ok).length;
  const endpoints = endpointRows(data);
  const slowest = Math.max(1, ...endpoints.map((row) => row.duration?.values['p(99)'] ?? 0));
  const checks = allChecks(data.root_group);
  const row = (cells: string[]) => `<tr>${cells.join('')}</tr>`;
  const td = (value: string, className = '') => `<td${className ? ` class="${className}"` : ''}>${escape(value)}</td>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Storefront k6 · ${escape(scenario)}</title><style>${STYLE}</style></head><body>
<h1>Storefront load test · ${escape(scenario)}</h1>
<p class="muted">${escape(config.baseUrl)} · ${(data.state.testRunDurationMs / 1000).toFixed(1)} s · ${escape(formatValue(data.metrics.http_reqs, 'count'))} requests (${escape(formatValue(data.metrics.http_reqs, 'rate'))}) · ${escape(formatValue(data.metrics.iterations, 'count'))} iterations</p>
<p class="verdict ${failed === 0 ? 'pass' : 'fail'}">${failed === 0 ? `All ${thresholds.length} thresholds passed` : `${failed} of ${thresholds.length} thresholds failed`}</p>
<h2>Thresholds</h2><table><tr><th>metric</th><th>threshold</th><th>measured</th><th></th></tr>
${thresholds.map((t) => row([td(t.metric), td(t.source), td(t.value, 'n'), td(t.ok ? '✓ passed' : '✗ failed', t.ok ? 'pass' : 'fail')])).join('\n')}
</table>
<h2>Endpoints</h2><table><tr><th>group</th><th>requests</th><th>failed</th><th>median</th><th>p95</th><th>p99</th><th>max</th><th style="width:30%">p99</th></tr>
${endpoints
  .map(({ endpoint, duration, failed: fails }) =>
    row([
      td(endpoint),
      td(formatValue(duration, 'count'), 'n'),
      td(formatValue(fails, 'rate'), 'n'),
      ...['med', 'p(95)', 'p(99)', 'max'].map((key) => td(formatValue(duration, key), 'n')),
      `<td><div class="bar" style="width:${(((duration?.values['p(99)'] ?? 0) / slowest) * 100).toFixed(1)}%"></div></td>`,
    ]),
  )
  .join('\n')}
</table>
${
  orderFacts(data).length > 0
    ? `<h2>Orders</h2><table>${orderFacts(data)
        .map(([label, value]) => row([td(label), td(value, 'n')]))
        .join('\n')}</table>`
    : ''
}
<h2>Checks</h2><table><tr><th>check</th><th>passed</th><th>failed</th></tr>
${checks.map((c) => row([td(c.path.replace(/^::/, '').replace(/::/g, ' › ')), td(String(c.passes), 'n'), td(String(c.fails), c.fails > 0 ? 'n fail' : 'n')])).join('\n')}
</table>
<h2>All metrics</h2><table><tr><th>metric</th><th>values</th></tr>
${Object.keys(data.metrics)
  .sort()
  .map((name) => {
    const metric = data.metrics[name] as MetricSummary;
    return row([
      td(name),
      td(
        Object.keys(metric.values)
          .map((key) => `${key}=${formatValue(metric, key)}`)
          .join('  '),
      ),
    ]);
  })
  .join('\n')}
</table>
<p class="muted">Written by loadtests/scripts/summary.ts; the same data as JSON is beside this file.</p>
</body></html>
`;
}

/** The handleSummary of a scenario: `<REPORT_DIR>/<scenario>-summary.json`, `…-report.html` and a text on stdout. */
export function summaryHandler(scenario: string): (data: SummaryData) => Record<string, string> {
  return (data) => {
    const json = `${config.reportDir}/${scenario}-summary.json`;
    const report = `${config.reportDir}/${scenario}-report.html`;
    return {
      [json]: JSON.stringify(data, null, 2),
      [report]: html(scenario, data),
      stdout: text(scenario, data, [json, report]),
    };
  };
}
