import type { StepResult } from './open-model';

/** What a stress run measured, and where: the chart's data file. */
export interface StressRun {
  readonly measuredAt: string;
  readonly machine: string;
  /** One-minute load average of the machine before and after the run (other work on it counts). */
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly target: string;
  readonly stepSeconds: number;
  readonly warmupSeconds: number;
  readonly steps: readonly StepResult[];
}

/**
 * Confirmed orders per second and p95 place → confirmed against the offered arrival rate, as SVG
 * (Vega-Lite, rendered without a browser). The dashed diagonal is "every order offered is confirmed";
 * the orange line counts placements the gateway refused (503, 504, …).
 */
export async function renderChart(run: StressRun): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const values = run.steps.map((step) => ({
    offered: step.offeredPerSecond,
    confirmed: step.confirmedPerSecond,
    refused: Math.round((Object.values(step.placeFailures).reduce((sum, count) => sum + count, 0) / run.stepSeconds) * 100) / 100,
    p95: step.confirmMs.p95,
  }));
  const top = Math.max(...values.map((value) => Math.max(value.offered, value.confirmed)));
  const x = { field: 'offered', type: 'quantitative', title: 'offered arrival rate (orders/s)', scale: { domain: [0, top] } } as const;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Storefront under rising load',
      subtitle: [
        `${run.machine}; stack and load driver on the same machine`,
        `load average ${run.loadAverage.before.toFixed(1)} before, ${run.loadAverage.after.toFixed(1)} after; ${run.stepSeconds} s per step; ${run.measuredAt.slice(0, 10)}`,
      ],
    },
    width: 560,
    height: 320,
    data: { values },
    layer: [
      {
        layer: [
          {
            data: {
              values: [
                { offered: 0, confirmed: 0 },
                { offered: top, confirmed: top },
              ],
            },
            mark: { type: 'line', strokeDash: [4, 4], color: '#9ca3af' },
            encoding: { x, y: { field: 'confirmed', type: 'quantitative' } },
          },
          {
            mark: { type: 'line', color: '#2563eb', point: { color: '#2563eb' } },
            encoding: {
              x,
              y: {
                field: 'confirmed',
                type: 'quantitative',
                title: 'confirmed orders/s (blue), refused placements/s (orange)',
                scale: { domain: [0, top] },
              },
            },
          },
          {
            mark: { type: 'line', color: '#ea580c', strokeDash: [2, 2], point: { color: '#ea580c' } },
            encoding: { x, y: { field: 'refused', type: 'quantitative' } },
          },
        ],
      },
      {
        mark: { type: 'line', color: '#dc2626', point: { color: '#dc2626' } },
        encoding: {
          x,
          y: {
            field: 'p95',
            type: 'quantitative',
            title: 'p95 placed → confirmed, ms (red, log scale)',
            scale: { type: 'log' },
            axis: { titleColor: '#dc2626', orient: 'right' },
          },
        },
      },
    ],
    resolve: { scale: { y: 'independent' } },
    config: { font: 'sans-serif' },
  };
  const view = new vega.View(vega.parse(vegaLite.compile(spec as never).spec), { renderer: 'none' });
  return view.toSVG();
}
