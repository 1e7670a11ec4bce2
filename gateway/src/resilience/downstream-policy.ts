import {
  BrokenCircuitError,
  bulkhead,
  BulkheadRejectedError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import { Gauge, register } from 'prom-client';
import { DownstreamError } from '@storefront/service-kit';
import type { GatewayConfig } from '../config';
import { CircuitOpenError, DownstreamOverloadedError } from './resilience.errors';

export interface DownstreamPolicyOptions {
  readonly maxConcurrent: number;
  readonly maxQueued: number;
  /** Consecutive unavailable/timeout failures that open the circuit. */
  readonly breakerThreshold: number;
  /** How long the circuit stays open before one trial call (half-open). */
  readonly breakerResetMs: number;
  /** Retries of an idempotent call after the first attempt. */
  readonly maxRetries?: number;
  /** First back-off delay; later ones grow exponentially, with jitter. */
  readonly retryInitialDelayMs?: number;
  /** Whether this policy's circuit is the one storefront_circuit_breaker_state shows (default true). */
  readonly reportsCircuit?: boolean;
}

export type CircuitStateName = 'closed' | 'half-open' | 'open';

const GAUGE_VALUE: Record<CircuitStateName, number> = { closed: 0, 'half-open': 1, open: 2 };
const GAUGE_NAME = 'storefront_circuit_breaker_state';

function circuitGauge(): Gauge {
  return (
    (register.getSingleMetric(GAUGE_NAME) as Gauge | undefined) ??
    new Gauge({ name: GAUGE_NAME, help: 'Circuit breaker per downstream: 0 closed, 1 half-open, 2 open', labelNames: ['downstream'] })
  );
}

/** Only a downstream that is down or too slow counts: a 404 or 400 comes from a healthy service. */
const isOutage = (error: unknown): boolean =>
  error instanceof DownstreamError && (error.kind === 'unavailable' || error.kind === 'timeout');

/**
 * Resilience for one downstream: a bulkhead (concurrent calls plus a small queue), a circuit breaker
 * and, for idempotent calls only, retries with jittered exponential back-off. Each attempt keeps its
 * own deadline (set by the function executed).
 */
export class DownstreamPolicy {
  private readonly idempotent: IPolicy;
  private readonly once: IPolicy;
  private readonly breaker: CircuitBreakerPolicy;
  private openedAt = 0;

  constructor(
    readonly downstream: string,
    private readonly options: DownstreamPolicyOptions,
  ) {
    const limit = bulkhead(options.maxConcurrent, options.maxQueued);
    this.breaker = circuitBreaker(handleWhen(isOutage), {
      halfOpenAfter: options.breakerResetMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
    });
    const retries = retry(handleWhen(isOutage), {
      maxAttempts: options.maxRetries ?? 2,
      backoff: new ExponentialBackoff({ initialDelay: options.retryInitialDelayMs ?? 50, maxDelay: 1_000 }),
    });
    // Outside in: an open circuit refuses before a bulkhead slot is taken, and every retry attempt
    // passes the breaker again, so retries stop as soon as the circuit opens.
    this.idempotent = wrap(retries, this.breaker, limit);
    this.once = wrap(this.breaker, limit);

    this.breaker.onBreak(() => {
      this.openedAt = Date.now();
    });
    if (options.reportsCircuit === false) return;
    const gauge = circuitGauge();
    gauge.set({ downstream }, GAUGE_VALUE.closed);
    this.breaker.onStateChange(() => gauge.set({ downstream }, GAUGE_VALUE[this.state]));
  }

  get state(): CircuitStateName {
    switch (this.breaker.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        return 'open';
    }
  }

  /** Runs `call`; retried only when `idempotent` (a retried write could happen twice). */
  async execute<T>(call: () => Promise<T>, { idempotent }: { idempotent: boolean }): Promise<T> {
    try {
      return await (idempotent ? this.idempotent : this.once).execute(() => call());
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw new CircuitOpenError(this.downstream, this.secondsUntilHalfOpen());
      if (error instanceof BulkheadRejectedError) throw new DownstreamOverloadedError(this.downstream);
      throw error;
    }
  }

  private secondsUntilHalfOpen(): number {
    const remainingMs = this.openedAt + this.options.breakerResetMs - Date.now();
    return Math.max(1, Math.ceil(remainingMs / 1_000));
  }
}

export const CATALOG_POLICY = Symbol('CatalogPolicy');

export function downstreamPolicyFromConfig(downstream: string, config: GatewayConfig): DownstreamPolicy {
  return new DownstreamPolicy(downstream, {
    maxConcurrent: config.DOWNSTREAM_MAX_CONCURRENT,
    maxQueued: config.DOWNSTREAM_MAX_QUEUED,
    breakerThreshold: config.CIRCUIT_BREAKER_THRESHOLD,
    breakerResetMs: config.CIRCUIT_BREAKER_RESET_MS,
  });
}

/** Long-polls (a client waiting for an order's status): as many as DOWNSTREAM_MAX_WAITING at once, no queue. */
export function waitPolicyFromConfig(downstream: string, config: GatewayConfig): DownstreamPolicy {
  return new DownstreamPolicy(downstream, {
    maxConcurrent: config.DOWNSTREAM_MAX_WAITING,
    maxQueued: 0,
    reportsCircuit: false,
    breakerThreshold: config.CIRCUIT_BREAKER_THRESHOLD,
    breakerResetMs: config.CIRCUIT_BREAKER_RESET_MS,
  });
}
