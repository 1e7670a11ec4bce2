import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Pool } from 'pg';
import { connectNats, Namespace } from '@storefront/messaging';
import { INVARIANTS, type InvariantId } from './invariants';
import { RULES, type Violation } from './rules';
import { readSnapshot, SERVICE_DATABASES, type ServiceDatabase, type Snapshot } from './snapshot';

/** Where a deployment's parts are: the same list locally and on a cluster (see config.ts). */
export interface Deployment {
  readonly gatewayUrl: string;
  /** A token with the admin role that the gateway accepts. */
  readonly adminToken: string;
  readonly databases: Readonly<Record<ServiceDatabase, string>>;
  readonly natsUrl: string;
  /** MESSAGING_NAMESPACE of the services ('' in production). */
  readonly messagingNamespace?: string;
}

export interface CheckOptions {
  /** Orders placed until then must be final; later traffic is not held against the deployment. Default: now. */
  readonly until?: Date;
  /** How long orders and read models may take to settle before a violation counts. Default 120 s. */
  readonly settleSeconds?: number;
  /** Orders the caller saw accepted; without them, every order placed until `until`. */
  readonly acceptedOrderIds?: readonly string[];
  /** Per SKU, initial stock + restocks, when known: then available + reserved + sold must equal it. */
  readonly stockTotals?: Readonly<Record<string, number>>;
  /** How often an unsettled check is repeated. Default 2 s. */
  readonly pollMs?: number;
  /** Progress lines while waiting for the deployment to settle. */
  readonly log?: (message: string) => void;
}

export interface InvariantResult {
  readonly id: InvariantId;
  readonly statement: string;
  readonly checked: number;
  readonly violationCount: number;
  /** The first 50 violations. */
  readonly violations: Violation[];
}

export interface InvariantReport {
  readonly ok: boolean;
  readonly until: string;
  readonly checkedAt: string;
  /** From the start of the check until every invariant held (or the settle time ran out). */
  readonly settledAfterMs: number;
  readonly settleSeconds: number;
  readonly orders: { readonly inScope: number; readonly total: number; readonly byStatus: Record<string, number> };
  readonly deadLetters: number;
  readonly results: InvariantResult[];
}

const MAX_LISTED = 50;

/**
 * Judges a deployment by its own records: the order, inventory, catalog and payment databases, the
 * JetStream consumers and dead letters, and the gateway (does it answer for the orders it accepted).
 * Reads only; never changes anything. A check repeats until every invariant holds or the settle time
 * is over, so it can run right after a fault stops.
 */
export class InvariantChecker {
  private constructor(
    private readonly deployment: Deployment,
    private readonly pools: Record<ServiceDatabase, Pool>,
    private readonly nats: { js: JetStreamClient; jsm: JetStreamManager; close: () => Promise<void> },
  ) {}

  static async connect(deployment: Deployment): Promise<InvariantChecker> {
    const pools = Object.fromEntries(
      SERVICE_DATABASES.map((service) => {
        const pool = new Pool({
          connectionString: deployment.databases[service],
          max: 2,
          connectionTimeoutMillis: 5_000,
          application_name: 'invariants',
        });
        pool.on('error', () => undefined); // an idle connection lost to a restart; the next query opens another
        return [service, pool];
      }),
    ) as Record<ServiceDatabase, Pool>;
    try {
      const nc = await connectNats(deployment.natsUrl, 'invariants');
      return new InvariantChecker(deployment, pools, { js: jetstream(nc), jsm: await jetstreamManager(nc), close: () => nc.close() });
    } catch (error) {
      await Promise.all(Object.values(pools).map((pool) => pool.end()));
      throw error;
    }
  }

  async check(options: CheckOptions = {}): Promise<InvariantReport> {
    const started = Date.now();
    const until = options.until ?? new Date();
    const settleSeconds = options.settleSeconds ?? 120;
    const deadline = started + settleSeconds * 1_000;
    const namespace = new Namespace(this.deployment.messagingNamespace ?? '');
    const answered = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      let snapshot: Snapshot | undefined;
      let results: InvariantResult[];
      try {
        snapshot = await readSnapshot({ pools: this.pools, js: this.nats.js, jsm: this.nats.jsm, namespace, until });
        const unanswered = await this.askGateway(snapshot, until, options.acceptedOrderIds, answered);
        results = INVARIANTS.map(({ id, statement }) => {
          const outcome = RULES[id](snapshot as Snapshot, {
            until,
            acceptedOrderIds: options.acceptedOrderIds,
            stockTotals: options.stockTotals,
            unanswered,
          });
          return {
            id,
            statement,
            checked: outcome.checked,
            violationCount: outcome.violations.length,
            violations: outcome.violations.slice(0, MAX_LISTED),
          };
        });
      } catch (error) {
        // A part that does not answer is not a verdict yet: try again until the settle time is over.
        const message = `could not read the deployment: ${(error as Error).message}`;
        results = INVARIANTS.map(({ id, statement }) => ({
          id,
          statement,
          checked: 0,
          violationCount: 1,
          violations: [{ invariant: id, subject: 'deployment', message }],
        }));
      }
      const ok = results.every((result) => result.violationCount === 0);
      if (ok || Date.now() >= deadline) {
        return report(ok, until, started, settleSeconds, snapshot, results);
      }
      if (attempt === 1 || attempt % 10 === 0) {
        const open = results.filter((result) => result.violationCount > 0).map((result) => `${result.id} (${result.violationCount})`);
        options.log?.(`not settled yet: ${open.join(', ')}; checking again until ${new Date(deadline).toISOString()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 2_000));
    }
  }

  async close(): Promise<void> {
    await this.nats.close();
    await Promise.all(Object.values(this.pools).map((pool) => pool.end()));
  }

  /**
   * GET /api/orders/:id as an admin for the accepted orders (or, without a list, the 20 newest in
   * scope): each must answer 200 with its id. Ids that answered once are not asked again.
   */
  private async askGateway(
    snapshot: Snapshot,
    until: Date,
    accepted: readonly string[] | undefined,
    answered: Set<string>,
  ): Promise<Map<string, string>> {
    const ids =
      accepted ??
      [...snapshot.orders.values()]
        .filter((order) => order.createdAt.getTime() <= until.getTime())
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        .slice(0, 20)
        .map((order) => order.id);
    const unanswered = new Map<string, string>();
    const queue = ids.filter((id) => !answered.has(id) && snapshot.orders.has(id));
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const problem = await this.askForOrder(id);
        if (problem) unanswered.set(id, problem);
        else answered.add(id);
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    return unanswered;
  }

  private async askForOrder(id: string): Promise<string | undefined> {
    try {
      const response = await fetch(`${this.deployment.gatewayUrl}/api/orders/${id}`, {
        headers: { authorization: `Bearer ${this.deployment.adminToken}` },
        signal: AbortSignal.timeout(10_000),
      });
      if (response.status !== 200) return `the gateway answers GET /api/orders/${id} with ${response.status}`;
      const body = (await response.json()) as { id?: string };
      return body.id === id ? undefined : `the gateway answers GET /api/orders/${id} with another order (${body.id})`;
    } catch (error) {
      return `the gateway does not answer GET /api/orders/${id}: ${(error as Error).message}`;
    }
  }
}

function report(
  ok: boolean,
  until: Date,
  started: number,
  settleSeconds: number,
  snapshot: Snapshot | undefined,
  results: InvariantResult[],
): InvariantReport {
  const orders = [...(snapshot?.orders.values() ?? [])];
  const byStatus: Record<string, number> = {};
  for (const order of orders) byStatus[order.status] = (byStatus[order.status] ?? 0) + 1;
  return {
    ok,
    until: until.toISOString(),
    checkedAt: new Date().toISOString(),
    settledAfterMs: Date.now() - started,
    settleSeconds,
    orders: { inScope: orders.filter((order) => order.createdAt.getTime() <= until.getTime()).length, total: orders.length, byStatus },
    deadLetters: snapshot?.deadLetters.length ?? 0,
    results,
  };
}
