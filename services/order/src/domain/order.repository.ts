import type { Transaction } from '@storefront/ddd';
import type { Order } from './order.aggregate';

/** Persistence port of orders. Saving an order also saves the decisions it recorded (the outbox). */
export interface OrderRepository {
  findById(id: string): Promise<Order | null>;
  /**
   * Locks the order, runs `work` on it and saves it with its recorded decisions, all in `tx` (or a
   * transaction of its own). Null when the order does not exist.
   */
  update<T>(id: string, work: (order: Order) => T, tx?: Transaction): Promise<{ order: Order; result: T } | null>;
  /**
   * Inserts a new order with its idempotency key, unique per customer. When another request of the
   * customer stored the key first, nothing is inserted and that request's order and request hash
   * are returned instead.
   */
  insert(
    order: Order,
    idempotency: { customerId: string; key: string; requestHash: string },
  ): Promise<{ created: true; order: Order } | { created: false; order: Order; requestHash: string }>;
  findByIdempotencyKey(customerId: string, key: string): Promise<{ order: Order; requestHash: string } | null>;
  /** Ids of unfinished orders whose current step is past its deadline (candidates; update re-checks). */
  findTimedOut(now: Date, limit: number): Promise<string[]>;
}

export const ORDER_REPOSITORY = Symbol('OrderRepository');
