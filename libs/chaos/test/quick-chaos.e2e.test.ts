import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatChaosReport, QUICK_EXPERIMENTS, runChaos, type ChaosReport } from '@storefront/chaos';

/**
 * `pnpm chaos --quick` inside npm test: a stack of its own (own nats-server, databases with a prefix
 * of their own, fault proxies on free ports), so two runs in parallel do not meet. Every invariant
 * must hold after each experiment.
 */
describe('pnpm chaos --quick', () => {
  const outputDir = mkdtempSync(join(tmpdir(), 'sf-chaos-'));
  let report: ChaosReport;

  beforeAll(async () => {
    report = await runChaos({ experiments: QUICK_EXPERIMENTS, quick: true, ordersPerSecond: 2, settleSeconds: 120, outputDir });
  }, 420_000);

  afterAll(() => rmSync(outputDir, { recursive: true, force: true }));

  it('runs every quick experiment under traffic and finds no violation', () => {
    const summary = formatChaosReport(report);
    expect(report.experiments.map((experiment) => experiment.name)).toEqual(QUICK_EXPERIMENTS.map((experiment) => experiment.name));
    expect({ ok: report.ok, violated: report.experiments.flatMap((experiment) => experiment.violated), summary }).toMatchObject({
      ok: true,
      violated: [],
    });
    for (const experiment of report.experiments) {
      expect(experiment.orders.accepted).toBeGreaterThan(0);
      expect(experiment.orders.final).toBe(experiment.orders.accepted);
      expect(experiment.crashes).toEqual([]);
    }
  });

  it('recovers: an order placed after each fault ends is confirmed', () => {
    for (const experiment of report.experiments)
      expect({ name: experiment.name, recovered: experiment.recoveredSeconds }).toEqual({
        name: experiment.name,
        recovered: expect.any(Number),
      });
  });

  it('writes the report as JSON', () => {
    const written = JSON.parse(readFileSync(join(outputDir, 'chaos-report.json'), 'utf8')) as ChaosReport;
    expect(written.totals).toEqual(report.totals);
  });
});
