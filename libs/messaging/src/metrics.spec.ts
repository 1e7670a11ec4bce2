import { register } from 'prom-client';
import { collectedGauge } from './metrics';

describe('a collected gauge', () => {
  afterEach(() => register.removeSingleMetric('test_collected_gauge'));

  it('runs its collection at most once per interval, however often it is scraped', async () => {
    let collections = 0;
    collectedGauge('test_collected_gauge', 'test', ['label'], (gauge) => {
      collections += 1;
      gauge.set({ label: 'a' }, collections);
      return Promise.resolve();
    });

    const scrapes = await Promise.all(Array.from({ length: 5 }, () => register.getSingleMetricAsString('test_collected_gauge')));
    for (let scrape = 0; scrape < 5; scrape++) await register.getSingleMetricAsString('test_collected_gauge');

    expect(collections).toBe(1);
    expect(scrapes.every((text) => text.includes('test_collected_gauge{label="a"} 1'))).toBe(true);
  });

  it('answers with the last values when a collection fails', async () => {
    let fail = false;
    collectedGauge(
      'test_collected_gauge',
      'test',
      ['label'],
      (gauge) => {
        if (fail) return Promise.reject(new Error('database unavailable'));
        gauge.set({ label: 'a' }, 7);
        return Promise.resolve();
      },
      { maxAgeMs: 0 },
    );
    await register.getSingleMetricAsString('test_collected_gauge');
    fail = true;

    await expect(register.getSingleMetricAsString('test_collected_gauge')).resolves.toContain('test_collected_gauge{label="a"} 7');
  });
});
