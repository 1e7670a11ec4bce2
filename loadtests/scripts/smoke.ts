// Smoke: a few users for a minute. Does every journey work at all? Any failure stops it at once:
// there is no point loading a system that fails with two users.
import type { Options } from 'k6/options';
import { prepare, type TestData } from './journeys.ts';
import { SUMMARY_TREND_STATS, summaryHandler } from './summary.ts';
import { thresholds } from './thresholds.ts';

export { browse, buy, restock } from './journeys.ts';

export const options: Options = {
  scenarios: {
    browsers: { executor: 'constant-vus', exec: 'browse', vus: 2, duration: '1m' },
    buyers: { executor: 'constant-vus', exec: 'buy', vus: 2, duration: '1m' },
    admin: { executor: 'per-vu-iterations', exec: 'restock', vus: 1, iterations: 1, maxDuration: '1m' },
  },
  thresholds: {
    ...thresholds({
      failedRate: 0.01,
      abortOnFailuresAfter: '10s',
      checksRate: 0.99,
      latency: {
        browse: [500, 1000],
        search: [500, 1000],
        product: [500, 1000],
        place_order: [1000, 2000],
        order_status: [300, 800],
        order_details: [800, 1500],
        order_history: [500, 1000],
        restock: [800, 1500],
      },
      orders: { confirmedWithin: [3000, 5000], expectedOutcomeRate: 0.99 },
    }),
    checks: [{ threshold: 'rate>0.99', abortOnFail: true, delayAbortEval: '10s' }],
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
  tags: { suite: 'storefront', profile: 'smoke' },
};

export function setup(): TestData {
  return prepare(options, { stockFloor: 50 });
}

export const handleSummary = summaryHandler('smoke');
