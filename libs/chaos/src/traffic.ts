import { randomUUID } from 'node:crypto';

export interface Product {
  readonly id: string;
  readonly sku: string;
}

interface PlacedOrder {
  readonly id: string;
  readonly placedAt: number;
  /** When a poll first saw it confirmed, if it was. */
  confirmedAt?: number;
}

export interface TrafficStats {
  /** Placements started (each with its own Idempotency-Key, retried with it). */
  attempted: number;
  accepted: PlacedOrder[];
  /** Placements that never got a 201, by the last status (or 'network'). */
  refused: Record<string, number>;
  browsed: number;
  /** Browsing answers other than 200, by status. */
  browseErrors: Record<string, number>;
}

export interface TrafficOptions {
  readonly gatewayUrl: string;
  readonly products: readonly Product[];
  /** Bearer tokens of a few customers, used in turn. */
  readonly customerTokens: readonly string[];
  readonly ordersPerSecond: number;
  /** Share of orders paid with a token the provider declines (cancelled orders). */
  readonly declineShare?: number;
}

const address = { name: 'Chaos Monkey', line1: '1 Failure Lane', city: 'Berlin', postalCode: '10115', country: 'DE' };
const RETRYABLE = new Set([0, 502, 503, 504]);
const MAX_IN_FLIGHT = 24;

async function post(url: string, token: string, key: string, body: unknown): Promise<{ status: number; id?: string }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const answer = (await response.json().catch(() => ({}))) as { id?: string };
    return { status: response.status, ...(answer.id ? { id: answer.id } : {}) };
  } catch {
    return { status: 0 };
  }
}

/**
 * Customers at a steady rate: an order every 1/rate seconds (open model: a slow answer does not slow
 * the arrivals, up to a cap of placements in flight), and a product page as often. A placement that
 * meets an outage (no answer, 502/503/504) is retried with the same Idempotency-Key for up to 20 s,
 * as a careful client does; what the gateway accepted is recorded by id.
 */
export class Traffic {
  readonly stats: TrafficStats = { attempted: 0, accepted: [], refused: {}, browsed: 0, browseErrors: {} };
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private tick = 0;

  constructor(private readonly options: TrafficOptions) {}

  start(): void {
    const interval = 1_000 / this.options.ordersPerSecond;
    this.timer = setInterval(() => this.arrive(), interval);
  }

  /** Stops new arrivals and waits for the placements under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.inFlight]);
  }

  private arrive(): void {
    const index = this.tick++;
    this.track(this.browse(index));
    if (this.inFlight.size >= MAX_IN_FLIGHT) return;
    this.track(this.place(index));
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async browse(index: number): Promise<void> {
    const product = this.options.products[index % this.options.products.length] as Product;
    const path = index % 2 === 0 ? '/api/products?limit=20' : `/api/products/${product.id}`;
    let status: number;
    try {
      const response = await fetch(`${this.options.gatewayUrl}${path}`, { signal: AbortSignal.timeout(10_000) });
      status = response.status;
      await response.arrayBuffer();
    } catch {
      status = 0;
    }
    this.stats.browsed++;
    if (status !== 200)
      this.stats.browseErrors[String(status || 'network')] = (this.stats.browseErrors[String(status || 'network')] ?? 0) + 1;
  }

  private async place(index: number): Promise<void> {
    const { products, customerTokens, declineShare = 0.05 } = this.options;
    const lineCount = 1 + (index % 2);
    const lines = Array.from({ length: lineCount }, (_, offset) => ({
      productId: (products[(index * 7 + offset * 3) % products.length] as Product).id,
      quantity: 1 + ((index + offset) % 2),
    }));
    const body = {
      paymentToken: Math.random() < declineShare ? 'tok_decline' : 'tok_visa',
      shippingAddress: address,
      lines: lines.filter((line, position) => lines.findIndex((other) => other.productId === line.productId) === position),
    };
    const token = customerTokens[index % customerTokens.length] as string;
    const key = randomUUID();
    const placedAt = Date.now();
    this.stats.attempted++;
    let answer = await post(`${this.options.gatewayUrl}/api/orders`, token, key, body);
    for (let attempt = 1; RETRYABLE.has(answer.status) && Date.now() - placedAt < 20_000; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 4_000)));
      answer = await post(`${this.options.gatewayUrl}/api/orders`, token, key, body);
    }
    if ((answer.status === 201 || answer.status === 200) && answer.id) {
      this.stats.accepted.push({ id: answer.id, placedAt });
    } else {
      const label = String(answer.status || 'network');
      this.stats.refused[label] = (this.stats.refused[label] ?? 0) + 1;
    }
  }
}
