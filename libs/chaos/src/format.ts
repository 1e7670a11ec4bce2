import type { ChaosReport } from './runner';

/** One row per experiment, then the totals and every violation. */
export function formatChaosReport(report: ChaosReport): string {
  const header = ['experiment', 'fault s', 'orders placed', 'accepted', 'final', 'violations', 'recovered s', 'settled s'];
  const rows = report.experiments.map((result) => [
    result.name,
    String(result.faultSeconds),
    String(result.orders.placed),
    String(result.orders.accepted),
    String(result.orders.final),
    String(result.violations),
    result.recoveredSeconds === null ? '–' : result.recoveredSeconds.toFixed(1),
    result.settledSeconds.toFixed(1),
  ]);
  const { totals } = report;
  rows.push(['total', '', String(totals.placed), String(totals.accepted), String(totals.final), String(totals.violations), '', '']);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  const details = report.experiments.flatMap((result) => [
    ...result.crashes.map((crash) => `  ${result.name}: ${crash} exited without being told to`),
    ...result.check.results.flatMap((check) =>
      check.violations.slice(0, 5).map((violation) => `  ${result.name}: ${check.id}: ${violation.subject}: ${violation.message}`),
    ),
  ]);
  return [
    line(header),
    ...rows.slice(0, -1).map(line),
    line(widths.map((width) => '-'.repeat(width))),
    line(rows[rows.length - 1] as string[]),
    '',
    report.ok ? 'every invariant held after every experiment' : `${totals.violations} violation(s):`,
    ...details,
    `report: ${report.reportFile}`,
  ].join('\n');
}
