// Pass/fail criteria, built the same way for every scenario from a few numbers per scenario.
import type { Options, Threshold } from 'k6/options';
import type { Endpoint } from './api.ts';

export interface Limits {
  /** Largest share of failed requests, overall and per endpoint group. */
  readonly failedRate: number;
  /** Stop the run when `failedRate` is crossed, after this long (k6 `delayAbortEval`); unset: never. */
  readonly abortOnFailuresAfter?: string;
  /** Smallest share of passing checks. */
  readonly checksRate: number;
  /** p95 and p99 in ms of each endpoint group the scenario's journeys call (and only those). */
  readonly latency: Partial<Record<Endpoint, readonly [p95: number, p99: number]>>;
  /** For scenarios that place orders. */
  readonly orders?: {
    /** p95 and p99 in ms from placing an order until it shows confirmed. */
    readonly confirmedWithin: readonly [p95: number, p99: number];
    /** Smallest share of orders that end as their payment token says. */
    readonly expectedOutcomeRate: number;
    /** Stop the run when confirmation p95 passes this many ms (after `after`): it cannot recover. */
    readonly abortWhenConfirmP95Over?: { readonly ms: number; readonly after: string };
    /** Orders allowed to stay unfinished (default 0: every accepted order must end, invariant 1). */
    readonly unfinishedAllowed?: number;
  };
}

function maybeAbort(threshold: string, after: string | undefined): Threshold {
  return after ? { threshold, abortOnFail: true, delayAbortEval: after } : threshold;
}

export function thresholds(limits: Limits): NonNullable<Options['thresholds']> {
  const result: NonNullable<Options['thresholds']> = {
    http_req_failed: [maybeAbort(`rate<${limits.failedRate}`, limits.abortOnFailuresAfter)],
    checks: [`rate>${limits.checksRate}`],
  };
  for (const [endpoint, [p95, p99]] of Object.entries(limits.latency) as [Endpoint, readonly [number, number]][]) {
    result[`http_req_duration{endpoint:${endpoint}}`] = [`p(95)<${p95}`, `p(99)<${p99}`];
    result[`http_req_failed{endpoint:${endpoint}}`] = [`rate<${limits.failedRate}`];
  }
  if (limits.orders) {
    const { confirmedWithin, expectedOutcomeRate, abortWhenConfirmP95Over, unfinishedAllowed = 0 } = limits.orders;
    result.order_time_to_confirmed = [`p(95)<${confirmedWithin[0]}`, `p(99)<${confirmedWithin[1]}`];
    if (abortWhenConfirmP95Over) {
      result.order_time_to_confirmed.push(maybeAbort(`p(95)<${abortWhenConfirmP95Over.ms}`, abortWhenConfirmP95Over.after));
    }
    result.orders_expected_outcome = [`rate>${expectedOutcomeRate}`];
    // A run that confirmed nothing proves nothing; an order that never ends breaks invariant 1.
    result.orders_confirmed = ['count>0'];
    result.orders_unfinished = [`count<=${unfinishedAllowed}`];
  }
  return result;
}
