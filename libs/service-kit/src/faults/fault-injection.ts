import { Counter, register } from 'prom-client';
import { z } from 'zod';
import { DomainError } from '@storefront/ddd';

const share = z.coerce.number().min(0).max(1);

/**
 * A "bad version" on purpose, for canary experiments: a share of the requests this process serves
 * fails or slows down. Off by default; health, metrics and docs are never touched, so a faulty
 * process stays ready and only its answers show the fault (as a real regression would).
 */
export const faultConfigSchema = z.object({
  /** Share of requests (0 to 1) answered 503 FAULT.INJECTED (gRPC: UNAVAILABLE) instead of served. */
  FAULT_ERROR_RATE: share.default(0),
  /** Extra latency added to the requests FAULT_LATENCY_RATE picks. */
  FAULT_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  /** Share of requests (0 to 1) that get FAULT_LATENCY_MS. */
  FAULT_LATENCY_RATE: share.default(1),
});
export type FaultConfig = z.output<typeof faultConfigSchema>;

export class InjectedFaultError extends DomainError {
  readonly code = 'FAULT.INJECTED';
  readonly kind = 'unavailable';

  constructor(rate: number) {
    super(`Fault injected on purpose (FAULT_ERROR_RATE=${rate})`);
  }
}

/** What happens to one request. */
export interface FaultDecision {
  readonly delayMs: number;
  readonly fail: boolean;
}

const COUNTER_NAME = 'storefront_injected_faults_total';

function faultCounter(): Counter {
  return (
    (register.getSingleMetric(COUNTER_NAME) as Counter | undefined) ??
    new Counter({ name: COUNTER_NAME, help: 'Requests failed or slowed on purpose (FAULT_* variables)', labelNames: ['fault'] })
  );
}

/** Paths that report on the process rather than serve: probes, scrapes and docs never get a fault. */
const EXEMPT_PATH = /^\/(health|metrics|docs)(\/|$|\?|-json)/;

export class FaultInjector {
  private readonly counter: Counter | undefined;

  constructor(
    private readonly config: FaultConfig,
    private readonly random: () => number = Math.random,
  ) {
    this.counter = this.enabled ? faultCounter() : undefined;
  }

  get enabled(): boolean {
    return this.config.FAULT_ERROR_RATE > 0 || (this.config.FAULT_LATENCY_MS > 0 && this.config.FAULT_LATENCY_RATE > 0);
  }

  /** The fault for one request on `path` (an HTTP URL or a gRPC method path); undefined when none. */
  decide(path: string): FaultDecision | undefined {
    if (!this.enabled || EXEMPT_PATH.test(path)) return undefined;
    const delayMs = this.config.FAULT_LATENCY_MS > 0 && this.random() < this.config.FAULT_LATENCY_RATE ? this.config.FAULT_LATENCY_MS : 0;
    const fail = this.random() < this.config.FAULT_ERROR_RATE;
    if (delayMs > 0) this.counter?.inc({ fault: 'latency' });
    if (fail) this.counter?.inc({ fault: 'error' });
    return delayMs > 0 || fail ? { delayMs, fail } : undefined;
  }

  /** Waits out the decided delay, then throws when the request is to fail. */
  async apply(decision: FaultDecision): Promise<void> {
    if (decision.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
    if (decision.fail) throw new InjectedFaultError(this.config.FAULT_ERROR_RATE);
  }

  /** For the start-up log line, when on. */
  describe(): string {
    const { FAULT_ERROR_RATE, FAULT_LATENCY_MS, FAULT_LATENCY_RATE } = this.config;
    return `fault injection ON: ${FAULT_ERROR_RATE * 100} % of requests fail, ${FAULT_LATENCY_RATE * 100} % wait ${FAULT_LATENCY_MS} ms more`;
  }
}
