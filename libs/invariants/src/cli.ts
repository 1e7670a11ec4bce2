#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { InvariantChecker } from './checker';
import { ConfigError, deploymentFromEnv, settleSecondsFrom, VARIABLES } from './config';
import { formatReport } from './format';
import { INVARIANTS } from './invariants';

const USAGE = `usage: pnpm invariants [--until <ISO time>] [--accepted <file>] [--stock-totals <file>] [--json <file>]
Checks every invariant of a deployment and exits 1 on a violation (2: it could not run).
  --until <time>          orders placed until then must be final (default: now); later traffic is not held against it
  --accepted <file>       ids of the orders the gateway accepted (a JSON array or one per line)
  --stock-totals <file>   {"<sku>": initial + restocks, …}: then available + reserved + sold must equal it
  --json <file>           also write the report as JSON there
  --list                  the invariants and what each says
The deployment, from the environment (unset: the npm start stack on this machine):
  ${VARIABLES.join(', ')}
  ADMIN_TOKEN unset: a token from npm start's dev issuer (.stack/dev-auth.json)`;

function fail(message: string, status = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(status);
}

function readIds(file: string): string[] {
  const text = readFileSync(file, 'utf8').trim();
  const ids = text.startsWith('[') ? (JSON.parse(text) as unknown[]) : text.split(/\s+/);
  return ids.filter((id): id is string => typeof id === 'string' && id.length > 0);
}

/** The local stack's dev issuer; only in a checkout (devstack is no dependency of the image). */
async function localAdminToken(): Promise<string> {
  try {
    const devstack = await import('@storefront/devstack');
    const issuer = await devstack.DevIssuer.persistent(devstack.DEFAULT_STATE_DIR);
    return await issuer.token({ subject: 'invariants', roles: ['admin'] });
  } catch (error) {
    throw new ConfigError(`ADMIN_TOKEN is not set and no local dev issuer could sign one (${(error as Error).message})`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      until: { type: 'string' },
      accepted: { type: 'string' },
      'stock-totals': { type: 'string' },
      json: { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) fail(USAGE, 0);
  if (values.list) {
    for (const invariant of INVARIANTS) process.stdout.write(`${invariant.id.padEnd(27)} ${invariant.statement}\n`);
    return;
  }
  const until = values.until ? new Date(values.until) : new Date();
  if (Number.isNaN(until.getTime())) fail(`--until must be an ISO time such as 2026-12-01T20:00:00Z (got ${JSON.stringify(values.until)})`);
  let settleSeconds: number;
  let deployment: Awaited<ReturnType<typeof deploymentFromEnv>>;
  try {
    settleSeconds = settleSecondsFrom(process.env);
    deployment = await deploymentFromEnv(process.env, localAdminToken);
  } catch (error) {
    if (error instanceof ConfigError) fail(`${error.message}\n\n${USAGE}`);
    throw error;
  }
  const acceptedOrderIds = values.accepted ? readIds(values.accepted) : undefined;
  const stockTotals = values['stock-totals']
    ? (JSON.parse(readFileSync(values['stock-totals'], 'utf8')) as Record<string, number>)
    : undefined;

  const checker = await InvariantChecker.connect(deployment).catch((error: unknown) =>
    fail(`cannot reach the deployment (${deployment.natsUrl}, databases): ${(error as Error).message}`),
  );
  try {
    const report = await checker.check({
      until,
      settleSeconds,
      ...(acceptedOrderIds ? { acceptedOrderIds } : {}),
      ...(stockTotals ? { stockTotals } : {}),
      log: (message) => process.stderr.write(`[invariants] ${message}\n`),
    });
    process.stdout.write(`${formatReport(report)}\n`);
    process.stdout.write(`json: ${JSON.stringify(report)}\n`);
    if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await checker.close();
  }
}

main().catch((error: unknown) => fail(`invariant check failed to run: ${(error as Error).stack ?? String(error)}`));
