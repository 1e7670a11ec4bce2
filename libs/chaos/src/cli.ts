#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { EXPERIMENTS, QUICK_EXPERIMENTS } from './experiments';
import { formatChaosReport } from './format';
import { runChaos } from './runner';

const USAGE = `usage: pnpm chaos [--quick] [--only <name,…>] [--rate <orders/s>] [--settle <s>] [--out <dir>] [--list]
Failure experiments on a stack of its own (own nats-server, own PostgreSQL for postgres-outage, the
local PostgreSQL otherwise), one fault at a time under steady traffic, each judged by the invariant
checker. Exits 1 on any violation.
  --quick        ${QUICK_EXPERIMENTS.map((experiment) => experiment.name).join(', ')} with short windows (npm test runs it)
  --only         these experiments, in the order given
  --rate         orders per second while an experiment runs (default 2; as many product reads)
  --settle       seconds the invariants may take to hold after traffic stops (default 180)
  --out          folder for chaos-report.json and stack.log (default .stack/chaos/<time>/)
  --list         every experiment: fault, hypothesis, blast radius, invariants at risk`;

function fail(message: string, status = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(status);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      rate: { type: 'string' },
      settle: { type: 'string' },
      out: { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) fail(USAGE, 0);
  if (values.list) {
    for (const experiment of EXPERIMENTS) {
      process.stdout.write(
        `${experiment.name} (${experiment.seconds} s${experiment.quickSeconds ? `, --quick ${experiment.quickSeconds} s` : ''}): ${experiment.fault}\n` +
          `  hypothesis:   ${experiment.hypothesis}\n  blast radius: ${experiment.blastRadius}\n  invariants:   ${experiment.invariants.join(', ')}\n\n`,
      );
    }
    return;
  }
  const names = values.only
    ?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names?.filter((name) => !EXPERIMENTS.some((experiment) => experiment.name === name)) ?? [];
  if (unknown.length) fail(`no experiment named ${unknown.join(', ')}; pnpm chaos --list shows them`);
  const experiments = names
    ? names.map((name) => EXPERIMENTS.find((experiment) => experiment.name === name)!)
    : values.quick
      ? QUICK_EXPERIMENTS
      : EXPERIMENTS;
  const number = (value: string | undefined, flag: string, fallback: number) => {
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0) fail(`${flag} must be a positive number (got ${JSON.stringify(value)})`);
    return parsed;
  };
  const report = await runChaos({
    experiments,
    quick: values.quick ?? false,
    ordersPerSecond: number(values.rate, '--rate', 2),
    settleSeconds: number(values.settle, '--settle', 180),
    ...(values.out ? { outputDir: values.out } : {}),
    log: (message) => process.stderr.write(`[chaos] ${message}\n`),
  });
  process.stdout.write(`${formatChaosReport(report)}\n`);
  process.exitCode = report.ok ? 0 : 1;
}

main().catch((error: unknown) => fail(`chaos run failed: ${(error as Error).stack ?? String(error)}`, 2));
