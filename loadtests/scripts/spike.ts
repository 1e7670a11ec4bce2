// Spike: orders jump from 5 to 100 per second within 10 s, stay there a minute, drop back, and the
// run watches 3 minutes of recovery. Does the system shed or queue the burst, and does every order
// accepted during it still end once the burst is over?
import type { Options } from 'k6/options';
import { prepare, type TestData } from './journeys.ts';
import { SUMMARY_TREND_STATS, summaryHandler } from './summary.ts';
import { thresholds } from './thresholds.ts';

export { browse, checkout, restock } from './journeys.ts';

export const options: Options = {
  scenarios: {
    browsers: { executor: 'constant-vus', exec: 'browse', vus: 10, duration: '6m' },
    orders: {
      executor: 'ramping-arrival-rate',
      exec: 'checkout',
      startRate: 5,
      timeUnit: '1s',
      preAllocatedVUs: 50,
      maxVUs: 500,
      stages: [
        { duration: '1m', target: 5 },
        { duration: '10s', target: 100 },
        { duration: '1m', target: 100 },
        { duration: '10s', target: 5 },
        { duration: '3m', target: 5 },
      ],
    },
    admin: { executor: 'constant-vus', exec: 'restock', vus: 1, duration: '6m' },
  },
  thresholds: thresholds({
    failedRate: 0.1,
    abortOnFailuresAfter: '90s',
    checksRate: 0.9,
    latency: {
      browse: [2000, 5000],
      search: [2000, 5000],
      product: [2000, 5000],
      place_order: [3000, 8000],
      order_status: [1500, 4000],
      restock: [3000, 8000],
    },
    orders: { confirmedWithin: [10000, 30000], expectedOutcomeRate: 0.9 },
  }),
  summaryTrendStats: SUMMARY_TREND_STATS,
  tags: { suite: 'storefront', profile: 'spike' },
};

export function setup(): TestData {
  return prepare(options, { stockFloor: 2000 });
}

export const handleSummary = summaryHandler('spike');
