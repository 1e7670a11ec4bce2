// Average load: the traffic of an ordinary day (about 30 people browsing, 10 buying, an admin
// restocking), ramped up, held for 7 minutes, ramped down. Does it meet its latency budget?
import type { Options } from 'k6/options';
import { prepare, type TestData } from './journeys.ts';
import { SUMMARY_TREND_STATS, summaryHandler } from './summary.ts';
import { thresholds } from './thresholds.ts';

export { browse, buy, restock } from './journeys.ts';

const ramp = (target: number) => [
  { duration: '1m', target },
  { duration: '7m', target },
  { duration: '1m', target: 0 },
];

export const options: Options = {
  scenarios: {
    browsers: { executor: 'ramping-vus', exec: 'browse', startVUs: 0, stages: ramp(30), gracefulRampDown: '30s' },
    buyers: { executor: 'ramping-vus', exec: 'buy', startVUs: 0, stages: ramp(10), gracefulRampDown: '1m' },
    admin: { executor: 'constant-vus', exec: 'restock', vus: 1, duration: '9m' },
  },
  thresholds: thresholds({
    failedRate: 0.01,
    abortOnFailuresAfter: '1m',
    checksRate: 0.99,
    latency: {
      browse: [300, 800],
      search: [300, 800],
      product: [300, 800],
      place_order: [800, 1500],
      order_status: [200, 500],
      order_details: [600, 1200],
      order_history: [400, 1000],
      restock: [800, 1500],
    },
    orders: { confirmedWithin: [3000, 6000], expectedOutcomeRate: 0.99 },
  }),
  summaryTrendStats: SUMMARY_TREND_STATS,
  tags: { suite: 'storefront', profile: 'average' },
};

export function setup(): TestData {
  return prepare(options, { stockFloor: 500 });
}

export const handleSummary = summaryHandler('average');
