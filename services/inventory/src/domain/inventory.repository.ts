import type { InventoryDomainEvent } from './inventory.domain-event';
import type { Reservation } from './reservation.aggregate';
import type { ReservationLines } from './reservation-lines.value-object';
import type { Shortage, StockChange, StockLevel } from './stock-level.value-object';

declare const transactionBrand: unique symbol;

/**
 * An open database transaction. Adapters open it (the consumer's inbox transaction, or UnitOfWork);
 * use cases pass it on and only repositories look inside, so every write of one command, its
 * events and the inbox row of the message that carried it commit together or not at all.
 */
export interface Transaction {
  readonly [transactionBrand]: true;
}

/** Runs work in a new transaction: commits when it resolves, rolls back when it throws. */
export interface UnitOfWork {
  run<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
}

export type ReserveOutcome =
  | { readonly reserved: true; readonly levels: readonly StockChange[] }
  | { readonly reserved: false; readonly shortages: readonly Shortage[]; readonly unknownSkus: readonly string[] };

/**
 * Persistence port of the stock counters. The arithmetic happens in the database, in conditional
 * updates, so concurrent transactions (and replicas) can never oversell. Every change returns the
 * new counters with the SKU's next version.
 */
export interface StockRepository {
  find(sku: string): Promise<StockLevel | null>;
  findMany(skus: readonly string[]): Promise<StockLevel[]>;
  /** Starts stock for a SKU; null when the SKU already has stock (nothing changes then). */
  create(tx: Transaction, sku: string, available: number): Promise<StockChange | null>;
  /** available → reserved for every line, or for none: then the shortages say why. */
  reserve(tx: Transaction, lines: ReservationLines): Promise<ReserveOutcome>;
  /** reserved → sold for every line. */
  commit(tx: Transaction, lines: ReservationLines): Promise<StockChange[]>;
  /** reserved → available for every line. */
  release(tx: Transaction, lines: ReservationLines): Promise<StockChange[]>;
  /** Adds units to available; null for a SKU without stock. */
  restock(tx: Transaction, sku: string, quantity: number): Promise<StockChange | null>;
}

export interface ReservationRepository {
  /** The order's reservation, locked until the transaction ends. */
  findByOrderId(tx: Transaction, orderId: string): Promise<Reservation | null>;
  /**
   * One RESERVED reservation past its expiry, locked; reservations other transactions hold are
   * skipped, so replicas sweeping at once never take the same one.
   */
  claimExpired(tx: Transaction, now: Date): Promise<Reservation | null>;
  /** Fails when the order already has a reservation. */
  insert(tx: Transaction, reservation: Reservation): Promise<void>;
  /** Saves a status change. */
  update(tx: Transaction, reservation: Reservation): Promise<void>;
}

/** Events to publish, recorded in the transaction whose changes they describe (the outbox). */
export interface InventoryEventRepository {
  append(tx: Transaction, ...events: InventoryDomainEvent[]): Promise<void>;
}

export const UNIT_OF_WORK = Symbol('UnitOfWork');
export const STOCK_REPOSITORY = Symbol('StockRepository');
export const RESERVATION_REPOSITORY = Symbol('ReservationRepository');
export const INVENTORY_EVENT_REPOSITORY = Symbol('InventoryEventRepository');
