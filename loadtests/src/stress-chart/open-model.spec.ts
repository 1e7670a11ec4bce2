import { percentile } from './open-model';

describe('percentile', () => {
  it('interpolates between the closest ranks, as k6 reports p(95)', () => {
    const values = Array.from({ length: 101 }, (_, index) => index * 10);
    expect(percentile(values, 95)).toBe(950);
    expect(percentile([100, 200], 95)).toBeCloseTo(195);
    expect(percentile([300, 100, 200], 50)).toBe(200);
  });

  it('has no value without samples (a step that confirmed nothing)', () => {
    expect(percentile([], 95)).toBeNull();
  });
});
