import { ConfigError, parseConfig } from '../config/config';
import { faultConfigSchema, FaultInjector, InjectedFaultError } from './fault-injection';

/** A random source that returns the given numbers in turn. */
const scripted =
  (...values: number[]) =>
  () =>
    values.shift() ?? 0.999;

describe('FaultInjector', () => {
  it('is off by default: no variable set, no request touched', () => {
    const faults = new FaultInjector(parseConfig(faultConfigSchema, {}));
    expect(faults.enabled).toBe(false);
    expect(faults.decide('/products')).toBeUndefined();
  });

  it('fails the share FAULT_ERROR_RATE picks and slows the share FAULT_LATENCY_RATE picks', () => {
    const config = parseConfig(faultConfigSchema, { FAULT_ERROR_RATE: '0.2', FAULT_LATENCY_MS: '300', FAULT_LATENCY_RATE: '0.5' });
    // Each decision draws latency first, then the error.
    const faults = new FaultInjector(config, scripted(0.4, 0.1, 0.6, 0.3, 0.9, 0.19));
    expect(faults.decide('/products')).toEqual({ delayMs: 300, fail: true });
    expect(faults.decide('/products')).toBeUndefined();
    expect(faults.decide('/catalog.v1.CatalogService/ListProducts')).toEqual({ delayMs: 0, fail: true });
  });

  it('never touches probes, metrics or docs, so a faulty process stays ready', () => {
    const faults = new FaultInjector(parseConfig(faultConfigSchema, { FAULT_ERROR_RATE: '1' }));
    for (const path of ['/health/live', '/health/ready', '/metrics', '/docs', '/docs-json', '/docs/static/index.html']) {
      expect(faults.decide(path)).toBeUndefined();
    }
    expect(faults.decide('/healthy-products')).toEqual({ delayMs: 0, fail: true });
  });

  it('applies a decision: waits, then throws FAULT.INJECTED (a 503, gRPC UNAVAILABLE)', async () => {
    const faults = new FaultInjector(parseConfig(faultConfigSchema, { FAULT_ERROR_RATE: '1', FAULT_LATENCY_MS: '20' }));
    const started = Date.now();
    const failure = await faults.apply({ delayMs: 20, fail: true }).catch((error: unknown) => error);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    expect(failure).toBeInstanceOf(InjectedFaultError);
    expect(failure).toMatchObject({ code: 'FAULT.INJECTED', kind: 'unavailable' });
  });

  it('refuses a share outside 0..1, naming the variable', () => {
    expect(() => parseConfig(faultConfigSchema, { FAULT_ERROR_RATE: '20' })).toThrow(ConfigError);
    expect(() => parseConfig(faultConfigSchema, { FAULT_ERROR_RATE: '20' })).toThrow(/FAULT_ERROR_RATE/);
  });
});
