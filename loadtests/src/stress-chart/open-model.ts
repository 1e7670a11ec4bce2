import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/*
 * An open-model load driver for one question: how many orders per second does the stack confirm,
 * and how long does confirmation take, as the offered arrival rate rises? Orders arrive on a
 * schedule whether or not earlier ones have finished (as k6's arrival-rate executors do), each one
 * the `checkout` journey of loadtests/scripts: place an order with an Idempotency-Key, then follow
 * it until it is final. Written here rather than with autocannon because autocannon is a closed
 * model (a fixed number of connections) and measures single requests, not an order's life.
 */

export interface DriverTarget {
  readonly baseUrl: string;
  /** One token per simulated customer: each has its own orders and its own rate limit at the gateway. */
  readonly customerTokens: readonly string[];
  readonly adminToken: string;
}

export interface StepOptions {
  /** Orders started per second. */
  readonly rate: number;
  readonly seconds: number;
  /** The first seconds of a step fill the pipeline and are not measured. */
  readonly warmupSeconds: number;
  /** An order not final this long after it was placed counts as unfinished. */
  readonly finalTimeoutMs: number;
}

export interface StepResult {
  readonly offeredPerSecond: number;
  /** Orders started (arrivals) during the step. */
  readonly started: number;
  /** Confirmations that happened inside the measured window, per second of it. */
  readonly confirmedPerSecond: number;
  /** Place → confirmed, orders placed inside the measured window (milliseconds). */
  readonly confirmMs: { readonly p50: number | null; readonly p95: number | null; readonly p99: number | null };
  /** POST /api/orders round trip (milliseconds). */
  readonly placeMs: { readonly p50: number | null; readonly p95: number | null };
  readonly confirmed: number;
  readonly cancelled: number;
  readonly rejected: number;
  readonly unfinished: number;
  /** Placements answered with something else than 200/201, by status and problem code (or "network"). */
  readonly placeFailures: Readonly<Record<string, number>>;
}

interface Outcome {
  readonly placedAt: number;
  readonly placeMs: number;
  readonly placeStatus: string;
  readonly final?: 'confirmed' | 'cancelled' | 'rejected';
  readonly finalAt?: number;
}

const FINAL = new Set(['confirmed', 'cancelled', 'rejected']);
const ADDRESS = { name: 'Load Test', line1: '1 Benchmark Way', city: 'Berlin', postalCode: '10115', country: 'DE' };

/** The p-th percentile (0-100) by linear interpolation between closest ranks, as k6 reports it. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (rank - low);
}

export class OpenModelDriver {
  private customer = 0;

  constructor(
    private readonly target: DriverTarget,
    private readonly productIds: readonly string[],
  ) {}

  private request(path: string, token: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.target.baseUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
      signal: AbortSignal.timeout(30_000),
    });
  }

  /**
   * Puts every product well above what a step can sell, so no order is rejected for stock. On a
   * fresh stack inventory learns of a product from the catalog's event a moment later (404 until then).
   */
  async restock(units: number, skus: readonly string[]): Promise<void> {
    for (const sku of skus) {
      for (const started = performance.now(); ; await sleep(500)) {
        const response = await this.request(`/api/admin/stock/${sku}/restock`, this.target.adminToken, {
          method: 'POST',
          body: JSON.stringify({ quantity: units }),
        });
        if (response.status === 200) {
          await response.arrayBuffer();
          break;
        }
        const body = await response.text();
        if (response.status !== 404 || performance.now() - started > 60_000)
          throw new Error(`restock ${sku}: HTTP ${response.status} ${body}`);
      }
    }
  }

  private async checkout(finalTimeoutMs: number): Promise<Outcome> {
    const token = this.target.customerTokens[this.customer++ % this.target.customerTokens.length] as string;
    const productId = this.productIds[Math.floor(Math.random() * this.productIds.length)] as string;
    const placedAt = performance.now();
    let response: Response;
    try {
      response = await this.request('/api/orders', token, {
        method: 'POST',
        headers: { 'idempotency-key': `chart-${randomUUID()}` },
        body: JSON.stringify({ lines: [{ productId, quantity: 1 }], paymentToken: 'tok_visa', shippingAddress: ADDRESS }),
      });
    } catch {
      return { placedAt, placeMs: performance.now() - placedAt, placeStatus: 'network' };
    }
    const placeMs = performance.now() - placedAt;
    if (response.status !== 201 && response.status !== 200) {
      // The problem's code says which guard answered (a 503 may be an open circuit, an overloaded
      // bulkhead or ordering paused).
      const problem = (await response.json().catch(() => ({}))) as { code?: string };
      return { placedAt, placeMs, placeStatus: `${response.status}${problem.code ? ` ${problem.code}` : ''}` };
    }
    const { id } = (await response.json()) as { id: string };
    // Back-off from 100 ms to 1 s, as the k6 journeys poll.
    for (let wait = 100; performance.now() - placedAt < finalTimeoutMs; wait = Math.min(wait * 1.5, 1_000)) {
      await sleep(wait);
      const poll = await this.request(`/api/orders/${id}`, token).catch(() => null);
      if (poll?.status !== 200) {
        await poll?.arrayBuffer();
        continue;
      }
      const { status } = (await poll.json()) as { status: string };
      if (FINAL.has(status))
        return { placedAt, placeMs, placeStatus: String(response.status), final: status as Outcome['final'], finalAt: performance.now() };
    }
    return { placedAt, placeMs, placeStatus: String(response.status) };
  }

  /** Starts orders at `rate` per second for `seconds`, then waits for every one of them to end. */
  async step(options: StepOptions): Promise<StepResult> {
    const start = performance.now();
    const interval = 1_000 / options.rate;
    const journeys: Promise<Outcome>[] = [];
    for (let k = 0; k * interval < options.seconds * 1_000; k++) {
      const due = start + k * interval;
      const now = performance.now();
      if (due > now) await sleep(due - now);
      journeys.push(this.checkout(options.finalTimeoutMs));
    }
    const end = start + options.seconds * 1_000;
    const outcomes = await Promise.all(journeys);
    const windowStart = start + options.warmupSeconds * 1_000;
    const inWindow = (at: number | undefined) => at !== undefined && at >= windowStart && at <= end;
    const confirmed = outcomes.filter((outcome) => outcome.final === 'confirmed');
    const placeFailures: Record<string, number> = {};
    for (const outcome of outcomes.filter((candidate) => candidate.placeStatus !== '200' && candidate.placeStatus !== '201')) {
      placeFailures[outcome.placeStatus] = (placeFailures[outcome.placeStatus] ?? 0) + 1;
    }
    const confirmMs = confirmed
      .filter((outcome) => inWindow(outcome.placedAt))
      .map((outcome) => (outcome.finalAt as number) - outcome.placedAt);
    const placeMs = outcomes.map((outcome) => outcome.placeMs);
    const round = (value: number | null) => (value === null ? null : Math.round(value));
    return {
      offeredPerSecond: options.rate,
      started: outcomes.length,
      confirmedPerSecond:
        Math.round((confirmed.filter((outcome) => inWindow(outcome.finalAt)).length / (options.seconds - options.warmupSeconds)) * 100) /
        100,
      confirmMs: { p50: round(percentile(confirmMs, 50)), p95: round(percentile(confirmMs, 95)), p99: round(percentile(confirmMs, 99)) },
      placeMs: { p50: round(percentile(placeMs, 50)), p95: round(percentile(placeMs, 95)) },
      confirmed: confirmed.length,
      cancelled: outcomes.filter((outcome) => outcome.final === 'cancelled').length,
      rejected: outcomes.filter((outcome) => outcome.final === 'rejected').length,
      unfinished: outcomes.filter((outcome) => !outcome.final && (outcome.placeStatus === '200' || outcome.placeStatus === '201')).length,
      placeFailures,
    };
  }
}
