import type { Transaction } from '@storefront/ddd';
import type { Payment } from './payment.aggregate';

/** Persistence port of payment; implemented with Prisma in infrastructure/. */
export interface PaymentRepository {
  findByOrderId(orderId: string): Promise<Payment | null>;
  /**
   * The payment of an order, or null when it has none yet, with the order held until `tx` ends:
   * concurrent commands for one order (on any replica) wait for each other instead of racing.
   */
  lockByOrderId(orderId: string, tx: Transaction): Promise<Payment | null>;
  /**
   * Stores a pending payment at once, outside any command transaction: it must be durable before
   * the provider is called, whatever happens to the command afterwards.
   */
  insertIntent(payment: Payment): Promise<void>;
  /** Writes a new payment and the events it recorded. */
  insert(payment: Payment, tx: Transaction): Promise<void>;
  /** Writes the changes of a loaded payment and the events it recorded. */
  update(payment: Payment, tx: Transaction): Promise<void>;
}

export const PAYMENT_REPOSITORY = Symbol('PaymentRepository');
