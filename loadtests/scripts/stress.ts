// Stress: orders arrive at 20, then 40, then 60 per second (beyond an ordinary day) while 40 people
// browse. Open model: arrivals do not wait for the system, so a slow saga shows as latency and
// dropped iterations instead of hiding in fewer requests. Where does it degrade, and does every
// accepted order still end?
import type { Options } from 'k6/options';
import { prepare, type TestData } from './journeys.ts';
import { SUMMARY_TREND_STATS, summaryHandler } from './summary.ts';
import { thresholds } from './thresholds.ts';

export { browse, checkout, restock } from './journeys.ts';

export const options: Options = {
  scenarios: {
    browsers: {
      executor: 'ramping-vus',
      exec: 'browse',
      startVUs: 0,
      stages: [
        { duration: '2m', target: 40 },
        { duration: '13m', target: 40 },
        { duration: '1m', target: 0 },
      ],
    },
    orders: {
      executor: 'ramping-arrival-rate',
      exec: 'checkout',
      startRate: 5,
      timeUnit: '1s',
      preAllocatedVUs: 50,
      maxVUs: 300,
      stages: [
        { duration: '2m', target: 20 },
        { duration: '3m', target: 20 },
        { duration: '2m', target: 40 },
        { duration: '3m', target: 40 },
        { duration: '2m', target: 60 },
        { duration: '3m', target: 60 },
        { duration: '1m', target: 0 },
      ],
    },
    admin: { executor: 'constant-vus', exec: 'restock', vus: 1, duration: '16m' },
  },
  thresholds: thresholds({
    failedRate: 0.05,
    abortOnFailuresAfter: '2m',
    checksRate: 0.95,
    latency: {
      browse: [1000, 2500],
      search: [1000, 2500],
      product: [1000, 2500],
      place_order: [2000, 4000],
      order_status: [800, 2000],
      restock: [2000, 4000],
    },
    orders: {
      confirmedWithin: [5000, 10000],
      expectedOutcomeRate: 0.95,
      abortWhenConfirmP95Over: { ms: 30000, after: '2m' },
    },
  }),
  summaryTrendStats: SUMMARY_TREND_STATS,
  tags: { suite: 'storefront', profile: 'stress' },
};

export function setup(): TestData {
  return prepare(options, { stockFloor: 2000 });
}

export const handleSummary = summaryHandler('stress');
