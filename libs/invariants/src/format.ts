import type { InvariantReport } from './checker';

/** One row per invariant, then each violation (at most `perInvariant` of each). */
export function formatReport(report: InvariantReport, perInvariant = 10): string {
  const statuses = Object.entries(report.orders.byStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
  const header = ['invariant', 'checked', 'violations', 'result'];
  const rows = report.results.map((result) => [
    result.id,
    String(result.checked),
    String(result.violationCount),
    result.violationCount ? 'VIOLATED' : 'ok',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const details = report.results.flatMap((result) => [
    ...result.violations.slice(0, perInvariant).map((violation) => `  ${result.id}: ${violation.subject}: ${violation.message}`),
    ...(result.violationCount > perInvariant ? [`  ${result.id}: … and ${result.violationCount - perInvariant} more`] : []),
  ]);
  return [
    `orders in scope (placed until ${report.until}): ${report.orders.inScope} of ${report.orders.total}${statuses ? ` (${statuses})` : ''}; dead letters: ${report.deadLetters}`,
    line(header),
    ...rows.map(line),
    '',
    report.ok
      ? `every invariant holds (settled after ${(report.settledAfterMs / 1000).toFixed(1)} s)`
      : `${report.results.filter((result) => result.violationCount).length} invariant(s) violated after ${report.settleSeconds} s to settle:`,
    ...details,
  ].join('\n');
}
