import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { type ProductPageDto } from '@storefront/contracts';
import { REPO_ROOT } from '@storefront/devstack';
import { startTestStack, TEST_ADMIN, type TestStack } from '@storefront/devstack/testing';
import { InvariantChecker, type InvariantId, type InvariantReport } from '@storefront/invariants';
import { withDatabase } from '@storefront/persistence';
import { OwnNatsServer, OwnPostgres } from '@storefront/testing';
import type { ChaosContext, Experiment } from './experiments';
import { FaultProxy } from './fault-proxy';
import { Traffic, type Product } from './traffic';

export interface ChaosOptions {
  readonly experiments: readonly Experiment[];
  /** Use each experiment's quickSeconds and shorter windows around the fault. */
  readonly quick?: boolean;
  readonly ordersPerSecond?: number;
  /** How long the invariants may take to settle after traffic stops. */
  readonly settleSeconds?: number;
  /** Where the JSON report and the stack's log go; default .stack/chaos/<time>/. */
  readonly outputDir?: string;
  readonly log?: (message: string) => void;
}

export interface ExperimentResult {
  readonly name: string;
  readonly fault: string;
  readonly hypothesis: string;
  readonly blastRadius: string;
  readonly invariantsAtRisk: readonly InvariantId[];
  readonly faultSeconds: number;
  readonly orders: { placed: number; accepted: number; final: number; byStatus: Record<string, number>; refused: Record<string, number> };
  readonly browsing: { requests: number; errors: Record<string, number> };
  /** From the end of the fault until the first order placed after it was confirmed. */
  readonly recoveredSeconds: number | null;
  /** From the end of the traffic until every invariant held. */
  readonly settledSeconds: number;
  readonly violations: number;
  readonly violated: InvariantId[];
  /** Services that exited without being told to (restarted by the runner). */
  readonly crashes: string[];
  readonly check: InvariantReport;
}

export interface ChaosReport {
  readonly ok: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly quick: boolean;
  readonly ordersPerSecond: number;
  readonly totals: { placed: number; accepted: number; final: number; violations: number };
  readonly experiments: ExperimentResult[];
  readonly reportFile: string;
  readonly logFile: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const TOP_UP_TO = 80;

async function query<T extends Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function waitUntilReady(stack: TestStack, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const service of stack.services) {
    for (;;) {
      const status = await fetch(`${service.url}/health/ready`, { signal: AbortSignal.timeout(2_000) })
        .then((response) => response.status)
        .catch(() => 0);
      if (status === 200) break;
      if (Date.now() > deadline) throw new Error(`${service.definition.name} is not ready ${timeoutMs / 1000} s after the fault`);
      await sleep(500);
    }
  }
}

/**
 * `pnpm chaos`: a stack of its own (its processes are the runner's to kill and freeze), on its own
 * nats-server and, when an experiment stops PostgreSQL, its own PostgreSQL; payment's link to NATS
 * and order's link to its database go through fault proxies. For each experiment: traffic at a
 * steady rate, the fault for its window, a little more traffic, then the invariant check.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const quick = options.quick ?? false;
  const rate = options.ordersPerSecond ?? 2;
  const startedAt = new Date();
  const outputDir = options.outputDir ?? join(REPO_ROOT, '.stack', 'chaos', startedAt.toISOString().replace(/[:.]/g, '-'));
  mkdirSync(outputDir, { recursive: true });
  const logFile = join(outputDir, 'stack.log');
  const reportFile = join(outputDir, 'chaos-report.json');
  const stackLog = createWriteStream(logFile);
  const note = (message: string) => {
    log(message);
    stackLog.write(`--- ${new Date().toISOString()} ${message}\n`);
  };

  const needsPostgres = options.experiments.some((experiment) => experiment.stopsPostgres);
  const nats = await OwnNatsServer.start();
  const postgres = needsPostgres ? await OwnPostgres.start({ log: note }) : undefined;
  const postgresUrl = postgres?.url ?? process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const postgresAddress = new URL(postgresUrl);
  const paymentLink = await FaultProxy.start({ host: '127.0.0.1', port: nats.port });
  const orderDatabaseLink = await FaultProxy.start({ host: postgresAddress.hostname, port: Number(postgresAddress.port || 5432) });
  const databasePrefix = `chaos_${process.pid}_${randomBytes(3).toString('hex')}_`;
  const proxiedOrderDatabase = new URL(withDatabase(postgresUrl, `${databasePrefix}order`));
  proxiedOrderDatabase.hostname = '127.0.0.1';
  proxiedOrderDatabase.port = String(orderDatabaseLink.port);

  let stack: TestStack | undefined;
  let checker: InvariantChecker | undefined;
  const heal = async () => {
    paymentLink.set({ kind: 'pass' });
    orderDatabaseLink.set({ kind: 'pass' });
    for (const service of stack?.services ?? []) service.process.kill('SIGCONT');
    await nats.start().catch(() => undefined);
    await postgres?.start().catch(() => undefined);
  };
  const interrupted = () => {
    note('interrupted: removing the fault and stopping the chaos stack');
    void heal()
      .then(() => stack?.stop())
      .then(() => Promise.all([nats.destroy(), postgres?.destroy()]))
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    note(`starting a stack of its own (NATS ${nats.url}${postgres ? `, own PostgreSQL on port ${postgres.port}` : ''})`);
    stack = await startTestStack({
      natsUrl: nats.url,
      databaseUrl: postgresUrl,
      databasePrefix,
      tracing: 'off',
      output: (service, line) => stackLog.write(`${service}: ${line}\n`),
      env: {
        payment: { NATS_URL: `nats://127.0.0.1:${paymentLink.port}` },
        order: { DATABASE_URL: proxiedOrderDatabase.toString() },
      },
      readyTimeoutMs: 120_000,
    });
    const running = stack;
    const db = (service: string) => running.service(service).databaseUrl as string;
    const adminToken = await running.token(TEST_ADMIN);
    const admin = (path: string, init: RequestInit = {}) =>
      fetch(`${running.gatewayUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', ...init.headers },
        signal: AbortSignal.timeout(15_000),
      });
    const page = (await (await running.api('/api/products?limit=100')).json()) as ProductPageDto;
    const products: Product[] = page.items.map((item) => ({ id: item.id, sku: item.sku }));
    const customerTokens = await Promise.all(
      Array.from({ length: 8 }, (_, index) => running.token({ subject: `chaos-customer-${index + 1}` })),
    );
    checker = await InvariantChecker.connect({
      gatewayUrl: running.gatewayUrl,
      adminToken,
      databases: { catalog: db('catalog'), inventory: db('inventory'), order: db('order'), payment: db('payment') },
      natsUrl: nats.url,
      messagingNamespace: running.messagingNamespace,
    });

    // Initial stock, then every restock the runner makes: what available + reserved + sold must add up to.
    // Inventory creates a product's stock from catalog's event, so wait until every product has one.
    for (const deadline = Date.now() + 60_000; ; await sleep(500)) {
      const [row] = await query<{ count: string }>(db('inventory'), 'SELECT count(*) AS count FROM stock WHERE sku = ANY($1)', [
        products.map((product) => product.sku),
      ]);
      if (Number(row?.count) === products.length) break;
      if (Date.now() > deadline)
        throw new Error(`inventory has stock for ${row?.count} of ${products.length} products a minute after the start`);
    }
    const stockTotals: Record<string, number> = {};
    for (const row of await query<{ sku: string; total: number }>(
      db('inventory'),
      'SELECT sku, available + reserved + sold AS total FROM stock',
    )) {
      stockTotals[row.sku] = Number(row.total);
    }
    const topUp = async () => {
      const levels = await query<{ sku: string; available: number }>(db('inventory'), 'SELECT sku, available FROM stock');
      for (const { sku, available } of levels) {
        if (available >= TOP_UP_TO) continue;
        const quantity = TOP_UP_TO - available;
        const response = await admin(`/api/admin/stock/${encodeURIComponent(sku)}/restock`, {
          method: 'POST',
          body: JSON.stringify({ quantity }),
        });
        if (response.status !== 200) throw new Error(`restocking ${sku} answered ${response.status}: ${await response.text()}`);
        stockTotals[sku] = (stockTotals[sku] ?? 0) + quantity;
      }
    };
    const context: ChaosContext = {
      stack: running,
      nats,
      postgres,
      paymentLink,
      orderDatabaseLink,
      setProvider: async (settings) => {
        const response = await admin('/api/admin/payment-provider', {
          method: 'PUT',
          body: JSON.stringify({ ...settings, declineAmountOverMinor: null }),
        });
        if (response.status !== 200) throw new Error(`setting the payment provider answered ${response.status}: ${await response.text()}`);
      },
      sleep,
      log: note,
    };

    const accepted: string[] = [];
    const results: ExperimentResult[] = [];
    for (const experiment of options.experiments) {
      const seconds = quick ? (experiment.quickSeconds ?? experiment.seconds) : experiment.seconds;
      note(`${experiment.name}: ${experiment.fault} for ${seconds} s`);
      await waitUntilReady(running, 120_000);
      await topUp();
      const traffic = new Traffic({ gatewayUrl: running.gatewayUrl, products, customerTokens, ordersPerSecond: rate });
      traffic.start();
      await sleep(quick ? 2_000 : 5_000);
      await experiment.run(context, seconds);
      const faultEnded = Date.now();
      await sleep(quick ? 4_000 : 10_000);
      await traffic.stop();
      const until = new Date();
      const crashes = running.services
        .filter((service) => service.process.exitCode !== null || service.process.signalCode !== null)
        .map((service) => `${service.definition.name} (${service.process.exitCode ?? service.process.signalCode})`);
      for (const crash of crashes) {
        const name = crash.split(' ')[0] as string;
        note(
          `${name} exited on its own during ${experiment.name}; its last lines:\n${running.service(name).recentOutput.slice(-15).join('\n')}`,
        );
        await running.restart(name);
      }
      const ids = traffic.stats.accepted.map((order) => order.id);
      accepted.push(...ids);
      const check = await checker.check({
        until,
        settleSeconds: options.settleSeconds ?? 180,
        acceptedOrderIds: accepted,
        stockTotals,
        log: (message) => note(`${experiment.name}: ${message}`),
      });
      const byStatus: Record<string, number> = {};
      for (const row of await query<{ status: string; count: string }>(
        db('order'),
        'SELECT status, count(*) AS count FROM orders WHERE id = ANY($1::uuid[]) GROUP BY status',
        [ids],
      )) {
        byStatus[row.status] = Number(row.count);
      }
      const [first] = await query<{ at: Date | null }>(
        db('order'),
        "SELECT min(updated_at) AS at FROM orders WHERE status = 'confirmed' AND created_at >= $1",
        [new Date(faultEnded)],
      );
      const violatedIds = check.results.filter((result) => result.violationCount > 0).map((result) => result.id);
      const result: ExperimentResult = {
        name: experiment.name,
        fault: experiment.fault,
        hypothesis: experiment.hypothesis,
        blastRadius: experiment.blastRadius,
        invariantsAtRisk: experiment.invariants,
        faultSeconds: seconds,
        orders: {
          placed: traffic.stats.attempted,
          accepted: ids.length,
          final: (byStatus.confirmed ?? 0) + (byStatus.cancelled ?? 0) + (byStatus.rejected ?? 0),
          byStatus,
          refused: traffic.stats.refused,
        },
        browsing: { requests: traffic.stats.browsed, errors: traffic.stats.browseErrors },
        recoveredSeconds: first?.at ? Math.max(0, (new Date(first.at).getTime() - faultEnded) / 1000) : null,
        settledSeconds: check.settledAfterMs / 1000,
        violations: check.results.reduce((sum, item) => sum + item.violationCount, 0) + crashes.length,
        violated: violatedIds,
        crashes,
        check,
      };
      results.push(result);
      note(
        `${experiment.name}: ${result.orders.accepted}/${result.orders.placed} accepted, ${result.orders.final} final, ` +
          `${result.violations} violation(s)${violatedIds.length ? ` (${violatedIds.join(', ')})` : ''}` +
          `${crashes.length ? `, crashed: ${crashes.join(', ')}` : ''}, recovered ${result.recoveredSeconds?.toFixed(1) ?? '–'} s, settled ${result.settledSeconds.toFixed(1)} s`,
      );
      writeFileSync(reportFile, `${JSON.stringify({ partial: true, experiments: results }, null, 2)}\n`);
    }

    const totals = results.reduce(
      (sum, result) => ({
        placed: sum.placed + result.orders.placed,
        accepted: sum.accepted + result.orders.accepted,
        final: sum.final + result.orders.final,
        violations: sum.violations + result.violations,
      }),
      { placed: 0, accepted: 0, final: 0, violations: 0 },
    );
    const report: ChaosReport = {
      ok: totals.violations === 0,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      quick,
      ordersPerSecond: rate,
      totals,
      experiments: results,
      reportFile,
      logFile,
    };
    writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
    await heal();
    await checker?.close().catch(() => undefined);
    await stack?.stop().catch((error: unknown) => note(`stopping the chaos stack: ${(error as Error).message}`));
    await paymentLink.close();
    await orderDatabaseLink.close();
    await nats.destroy();
    await postgres?.destroy();
    await new Promise((resolve) => stackLog.end(resolve));
  }
}
