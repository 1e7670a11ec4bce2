// Breakpoint: how many orders per second can it take? Orders arrive at a rate that climbs from 1 to
// 200 per second over 20 minutes, nothing else runs but an admin restocking. The run stops itself
// once the system is past its limit (failures, confirmation p95 over 10 s, or k6 out of VUs because
// iterations no longer finish); the rate at that moment (iterations/s in the report's timeline, or
// `orders_placed` over the run time) is the answer.
import type { Options } from 'k6/options';
import { prepare, type TestData } from './journeys.ts';
import { SUMMARY_TREND_STATS, summaryHandler } from './summary.ts';
import { thresholds } from './thresholds.ts';

export { checkout, restock } from './journeys.ts';

export const options: Options = {
  scenarios: {
    orders: {
      executor: 'ramping-arrival-rate',
      exec: 'checkout',
      startRate: 1,
      timeUnit: '1s',
      preAllocatedVUs: 50,
      maxVUs: 500,
      stages: [{ duration: '20m', target: 200 }],
    },
    admin: { executor: 'constant-vus', exec: 'restock', vus: 1, duration: '20m' },
  },
  thresholds: {
    ...thresholds({
      failedRate: 0.05,
      abortOnFailuresAfter: '30s',
      checksRate: 0.95,
      latency: { product: [2000, 5000], place_order: [3000, 8000], order_status: [2000, 5000], restock: [3000, 8000] },
      orders: {
        confirmedWithin: [10000, 30000],
        expectedOutcomeRate: 0.95,
        abortWhenConfirmP95Over: { ms: 10000, after: '1m' },
      },
    }),
    // Arrivals k6 could not start because every VU was still busy: the system stopped keeping up.
    dropped_iterations: [{ threshold: 'count<100', abortOnFail: true }],
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
  tags: { suite: 'storefront', profile: 'breakpoint' },
};

export function setup(): TestData {
  return prepare(options, { stockFloor: 5000 });
}

export const handleSummary = summaryHandler('breakpoint');
