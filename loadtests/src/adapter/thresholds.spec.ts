import { MetricRegistry, percentile } from './metrics';
import { evaluateThreshold, parseThresholds } from './thresholds';

function registryWith(samples: [metric: string, value: number, endpoint: string][]): MetricRegistry {
  const registry = new MetricRegistry();
  registry.declare('orders_placed', 'counter', false);
  for (const [metric, value, endpoint] of samples) registry.add(metric, value, { endpoint });
  return registry;
}

describe('thresholds as k6 reads them', () => {
  it('parses a tag filter, several expressions and the object form with abortOnFail', () => {
    const parsed = parseThresholds(
      {
        'http_req_duration{endpoint:place_order}': [
          'p(95)<800',
          { threshold: 'p(99.9) <= 2000', abortOnFail: true, delayAbortEval: '10s' },
        ],
      },
      new MetricRegistry(),
    );
    expect(
      parsed.map(({ metric, filter, aggregation, operator, limit, abortOnFail }) => ({
        metric,
        filter,
        aggregation,
        operator,
        limit,
        abortOnFail,
      })),
    ).toEqual([
      {
        metric: 'http_req_duration',
        filter: { endpoint: 'place_order' },
        aggregation: 'p(95)',
        operator: '<',
        limit: 800,
        abortOnFail: false,
      },
      {
        metric: 'http_req_duration',
        filter: { endpoint: 'place_order' },
        aggregation: 'p(99.9)',
        operator: '<=',
        limit: 2000,
        abortOnFail: true,
      },
    ]);
  });

  it('refuses what k6 refuses at start-up', () => {
    const registry = new MetricRegistry();
    expect(() => parseThresholds({ order_latency: ['p(95)<1'] }, registry)).toThrow('no metric name "order_latency" found');
    expect(() => parseThresholds({ http_req_failed: ['p(95)<0.01'] }, registry)).toThrow(
      'the "p(95)" aggregation is not valid for a rate metric',
    );
    expect(() => parseThresholds({ http_reqs: ['count less than 5'] }, registry)).toThrow('is not "<aggregation> <operator> <number>"');
  });

  it('interpolates percentiles between ranks as k6’s trend sink does', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([1, 2, 3, 4], 0.95)).toBeCloseTo(3.85);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.95)).toBe(0);
  });

  it('judges a sub-metric only by the samples whose tags match', () => {
    const registry = registryWith([
      ['http_req_duration', 100, 'browse'],
      ['http_req_duration', 900, 'place_order'],
      ['http_req_duration', 120, 'browse'],
    ]);
    const [browse] = parseThresholds({ 'http_req_duration{endpoint:browse}': ['max<200'] }, registry);
    const [all] = parseThresholds({ http_req_duration: ['max<200'] }, registry);
    expect(evaluateThreshold(browse!, registry, 1)).toMatchObject({ samples: 2, value: 120, ok: true });
    expect(evaluateThreshold(all!, registry, 1)).toMatchObject({ samples: 3, value: 900, ok: false });
  });

  it('counts a counter and rates a rate', () => {
    const registry = registryWith([
      ['orders_placed', 1, 'place_order'],
      ['orders_placed', 1, 'place_order'],
      ['http_req_failed', 0, 'browse'],
      ['http_req_failed', 1, 'browse'],
    ]);
    const [placed, failed] = parseThresholds({ orders_placed: ['count>1'], http_req_failed: ['rate<0.5'] }, registry);
    expect(evaluateThreshold(placed!, registry, 2)).toMatchObject({ value: 2, ok: true });
    expect(evaluateThreshold(failed!, registry, 2)).toMatchObject({ value: 0.5, ok: false });
  });
});
