import { register } from 'prom-client';
import { DownstreamError } from '@storefront/service-kit';
import { DownstreamPolicy, type DownstreamPolicyOptions } from './downstream-policy';
import { CircuitOpenError, DownstreamOverloadedError } from './resilience.errors';

const OPTIONS: DownstreamPolicyOptions = {
  maxConcurrent: 10,
  maxQueued: 0,
  breakerThreshold: 100,
  breakerResetMs: 1_000,
  maxRetries: 2,
  retryInitialDelayMs: 1,
};

const unavailable = () => new DownstreamError('DOWNSTREAM.UNAVAILABLE', 'unavailable', 'test is unavailable', { cause: null });
const notFound = () => new DownstreamError('TEST.NOT_FOUND', 'not_found', 'no such thing', { cause: null });

function failing(error: () => Error): jest.Mock<Promise<never>, []> {
  return jest.fn(() => Promise.reject(error()));
}

async function circuitGauge(downstream: string): Promise<number | undefined> {
  const metric = await register.getSingleMetric('storefront_circuit_breaker_state')?.get();
  return metric?.values.find((value) => value.labels.downstream === downstream)?.value;
}

describe('DownstreamPolicy', () => {
  it('runs a non-idempotent call exactly once when it fails', async () => {
    const call = failing(unavailable);
    await expect(new DownstreamPolicy('writes', OPTIONS).execute(call, { idempotent: false })).rejects.toThrow(DownstreamError);
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('runs an idempotent call 1 + retries times when the downstream is unavailable', async () => {
    const call = failing(unavailable);
    await expect(new DownstreamPolicy('reads', OPTIONS).execute(call, { idempotent: true })).rejects.toThrow(DownstreamError);
    expect(call).toHaveBeenCalledTimes(1 + 2);
  });

  it('does not retry an answer from a healthy downstream, such as not found', async () => {
    const call = failing(notFound);
    await expect(new DownstreamPolicy('reads-404', OPTIONS).execute(call, { idempotent: true })).rejects.toMatchObject({
      code: 'TEST.NOT_FOUND',
    });
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('rejects the call beyond the bulkhead and its queue with DOWNSTREAM.OVERLOADED', async () => {
    const policy = new DownstreamPolicy('tiny', { ...OPTIONS, maxConcurrent: 1, maxQueued: 1 });
    let release = (): void => undefined;
    const blocked = new Promise<string>((resolve) => {
      release = () => resolve('done');
    });
    const running = policy.execute(() => blocked, { idempotent: false });
    const queued = policy.execute(() => Promise.resolve('queued'), { idempotent: false });
    const third = jest.fn(() => Promise.resolve('third'));

    const rejected = policy.execute(third, { idempotent: false });

    await expect(rejected).rejects.toBeInstanceOf(DownstreamOverloadedError);
    await expect(rejected).rejects.toMatchObject({ code: 'DOWNSTREAM.OVERLOADED', kind: 'unavailable', retryAfterSeconds: 1 });
    expect(third).not.toHaveBeenCalled();
    release();
    await expect(Promise.all([running, queued])).resolves.toEqual(['done', 'queued']);
  });

  it('opens after the threshold of outages, refuses at once with the seconds until half-open, then closes again', async () => {
    const policy = new DownstreamPolicy('flaky', { ...OPTIONS, breakerThreshold: 2, breakerResetMs: 300 });
    const down = failing(unavailable);
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(policy.execute(down, { idempotent: false })).rejects.toMatchObject({ code: 'DOWNSTREAM.UNAVAILABLE' });
    }
    expect(policy.state).toBe('open');
    expect(await circuitGauge('flaky')).toBe(2);

    const refused = jest.fn(() => Promise.resolve('never'));
    const error: unknown = await policy.execute(refused, { idempotent: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({ code: 'DOWNSTREAM.CIRCUIT_OPEN', kind: 'unavailable', retryAfterSeconds: 1 });
    expect(refused).not.toHaveBeenCalled();

    await new Promise((resolve) => setTimeout(resolve, 350));
    await expect(policy.execute(() => Promise.resolve('back'), { idempotent: true })).resolves.toBe('back');
    expect(policy.state).toBe('closed');
    expect(await circuitGauge('flaky')).toBe(0);
  });

  it('does not count answers from a healthy downstream as failures', async () => {
    const policy = new DownstreamPolicy('healthy', { ...OPTIONS, breakerThreshold: 2 });
    for (let attempt = 0; attempt < 5; attempt++) {
      await expect(policy.execute(failing(notFound), { idempotent: false })).rejects.toMatchObject({ code: 'TEST.NOT_FOUND' });
    }
    expect(policy.state).toBe('closed');
  });
});
