import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import type { OrderStatusChanges, OrderStatusWatch } from '../../application/order-status-changes.port';
import { ORDER_CONFIG, type OrderConfig } from '../../config';

const CHANNEL = 'order_status';
const RECONNECT_DELAYS_MS = [250, 1_000, 5_000];

interface Waiter {
  /** Statuses announced and not yet taken by next(); `undefined` where the announcement named none. */
  announced: (string | undefined)[];
  wake: (() => void) | undefined;
}

/**
 * LISTENs on the channel the orders table's trigger NOTIFYs on commit of a status change (payload
 * `<order id>:<status>`), on one connection of its own, and wakes the requests waiting for that order. A lost connection is opened
 * again; meanwhile waiters fall back to their recheck interval.
 */
@Injectable()
export class PgOrderStatusListener implements OrderStatusChanges, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('OrderStatusListener');
  private readonly waiters = new Map<string, Set<Waiter>>();
  private client: Client | undefined;
  private stopped = false;
  private failures = 0;

  constructor(@Inject(ORDER_CONFIG) private readonly config: OrderConfig) {}

  async onModuleInit(): Promise<void> {
    await this.connect().catch(() => this.reconnectLater());
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    for (const set of this.waiters.values()) for (const waiter of set) waiter.wake?.();
    await this.client?.end().catch(() => undefined);
  }

  watch(orderId: string): OrderStatusWatch {
    const waiter: Waiter = { announced: [], wake: undefined };
    let set = this.waiters.get(orderId);
    if (!set) this.waiters.set(orderId, (set = new Set()));
    set.add(waiter);
    return {
      next: (withinMs) =>
        new Promise<readonly (string | undefined)[]>((resolve) => {
          if (waiter.announced.length > 0 || this.stopped) {
            resolve(waiter.announced.splice(0));
            return;
          }
          const timer = setTimeout(done, withinMs);
          function done() {
            clearTimeout(timer);
            waiter.wake = undefined;
            resolve(waiter.announced.splice(0));
          }
          waiter.wake = done;
        }),
      close: () => {
        waiter.wake?.();
        set.delete(waiter);
        if (set.size === 0 && this.waiters.get(orderId) === set) this.waiters.delete(orderId);
      },
    };
  }

  private announce(orderId: string, status: string | undefined): void {
    for (const waiter of this.waiters.get(orderId) ?? []) {
      waiter.announced.push(status);
      waiter.wake?.();
    }
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.config.DATABASE_URL, application_name: 'order-status-listener' });
    client.on('notification', (message) => {
      if (message.channel !== CHANNEL || !message.payload) return;
      // Before migration 20261221000000 the payload was the id alone.
      const [orderId, status] = message.payload.split(':', 2) as [string, string | undefined];
      this.announce(orderId, status);
    });
    client.on('error', (error) => {
      if (this.client !== client) return;
      this.client = undefined;
      this.logger.warn(`order status listener lost its connection: ${error.message}`);
      void client.end().catch(() => undefined);
      this.reconnectLater();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    if (this.stopped) {
      await client.end();
      return;
    }
    this.client = client;
    this.failures = 0;
  }

  private reconnectLater(): void {
    if (this.stopped) return;
    const delay = RECONNECT_DELAYS_MS[Math.min(this.failures, RECONNECT_DELAYS_MS.length - 1)] ?? 5_000;
    this.failures += 1;
    setTimeout(() => void this.connect().catch(() => this.reconnectLater()), delay).unref();
  }
}
