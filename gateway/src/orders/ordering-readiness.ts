import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { OrderingUnavailableError } from '../resilience/resilience.errors';

/**
 * Graceful degradation for ordering. An order placed while inventory or payment is down would sit
 * in the saga until its step deadline cancels it: the shop would accept the order and break its
 * promise later. So before taking an order the gateway asks both participants' /health/ready
 * (database and NATS included), at most once per ORDERING_READINESS_TTL_MS, and refuses with 503 + Retry-After while
 * one is down. Browsing and order history are unaffected.
 */
@Injectable()
export class OrderingReadiness {
  private last: { at: number; down: readonly string[] } | undefined;
  private probing: Promise<readonly string[]> | undefined;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  async assertAvailable(): Promise<void> {
    const down = await this.unavailableParticipants();
    if (down.length > 0) throw new OrderingUnavailableError(down);
  }

  private async unavailableParticipants(): Promise<readonly string[]> {
    if (this.last && Date.now() - this.last.at < this.config.ORDERING_READINESS_TTL_MS) return this.last.down;
    // Concurrent orders share one probe.
    this.probing ??= this.probe().finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  private async probe(): Promise<readonly string[]> {
    const participants = { inventory: this.config.INVENTORY_URL, payment: this.config.PAYMENT_URL };
    const results = await Promise.all(
      Object.entries(participants).map(async ([name, url]) => {
        try {
          // The same deadline as any call to them: a busy service is slow, not down.
          const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(this.config.DOWNSTREAM_TIMEOUT_MS) });
          await response.body?.cancel();
          return response.ok ? undefined : name;
        } catch {
          return name;
        }
      }),
    );
    const down = results.filter((name): name is string => name !== undefined);
    this.last = { at: Date.now(), down };
    return down;
  }
}
