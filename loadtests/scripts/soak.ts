// Soak: an ordinary day's traffic for SOAK_DURATION (default 2h). Finds what only time shows: leaks,
// growing tables (outbox, inbox), slow drift in latency, connection pools that run dry.
import type { Options } from 'k6/options';
import { prepare, type TestData } from './journeys.ts';
import { SUMMARY_TREND_STATS, summaryHandler } from './summary.ts';
import { thresholds } from './thresholds.ts';

export { browse, buy, restock } from './journeys.ts';

const duration = __ENV.SOAK_DURATION || '2h';

export const options: Options = {
  scenarios: {
    browsers: { executor: 'constant-vus', exec: 'browse', vus: 20, duration },
    buyers: { executor: 'constant-vus', exec: 'buy', vus: 8, duration, gracefulStop: '1m' },
    admin: { executor: 'constant-vus', exec: 'restock', vus: 1, duration },
  },
  thresholds: thresholds({
    failedRate: 0.01,
    abortOnFailuresAfter: '5m',
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
    orders: { confirmedWithin: [3000, 6000], expectedOutcomeRate: 0.99, abortWhenConfirmP95Over: { ms: 15000, after: '10m' } },
  }),
  summaryTrendStats: SUMMARY_TREND_STATS,
  tags: { suite: 'storefront', profile: 'soak' },
};

export function setup(): TestData {
  return prepare(options, { stockFloor: 2000 });
}

export const handleSummary = summaryHandler('soak');
