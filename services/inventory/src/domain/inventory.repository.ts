import type { Transaction } from '@storefront/ddd';
import type { InventoryDomainEvent } from './inventory.domain-event';
import type { ReservationLines } from './reservation-lines.value-object';
import type { Reservation } from './reservation.aggregate';
import type { Shortage, StockChange, StockLevel } from './stock-level.value-object';

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
  create(sku: string, available: number, tx: Transaction): Promise<StockChange | null>;
  /** available → reserved for every line, or for none: then the shortages say why. */
  reserve(lines: ReservationLines, tx: Transaction): Promise<ReserveOutcome>;
  /** reserved → sold for every line. */
  commit(lines: ReservationLines, tx: Transaction): Promise<StockChange[]>;
  /** reserved → available for every line. */
  release(lines: ReservationLines, tx: Transaction): Promise<StockChange[]>;
  /** Adds units to available; null for a SKU without stock. */
  restock(sku: string, quantity: number, tx: Transaction): Promise<StockChange | null>;
}

export interface ReservationRepository {
  /** The order's reservation, locked until the transaction ends. */
  findByOrderId(orderId: string, tx: Transaction): Promise<Reservation | null>;
  /**
   * One reserved reservation past its expiry, locked; reservations other transactions hold are
   * skipped, so replicas sweeping at once never take the same one.
   */
  claimExpired(now: Date, tx: Transaction): Promise<Reservation | null>;
  /** Fails when the order already has a reservation. */
  insert(reservation: Reservation, tx: Transaction): Promise<void>;
  /** Saves a status change. */
  update(reservation: Reservation, tx: Transaction): Promise<void>;
}

/** Events to publish, recorded in the transaction whose changes they describe (the outbox). */
export interface InventoryEventRepository {
  append(events: readonly InventoryDomainEvent[], tx: Transaction): Promise<void>;
}

export const STOCK_REPOSITORY = Symbol('StockRepository');
export const RESERVATION_REPOSITORY = Symbol('ReservationRepository');
export const INVENTORY_EVENT_REPOSITORY = Symbol('InventoryEventRepository');
