import { InvalidQuantityError } from './inventory.errors';

/**
 * The counters of one SKU. Units move between them and are never created or lost, except that
 * the initial stock and restocks add to `available`: available + reserved + sold is the total ever
 * stocked. The database keeps every counter at zero or more.
 */
export interface StockLevel {
  readonly sku: string;
  /** Units that can be reserved now. */
  readonly available: number;
  /** Units held for orders that are not confirmed yet. */
  readonly reserved: number;
  /** Units of confirmed orders. */
  readonly sold: number;
}

/**
 * The counters right after one change, numbered: `version` counts the changes of the SKU, in the
 * order the row lock let them happen. Readers of stock events order by it, never by event time
 * (a transaction takes its time before it waits for the lock, so times can run backwards).
 */
export interface StockChange extends StockLevel {
  readonly version: number;
}

export function levelOf(change: StockChange): StockLevel {
  return { sku: change.sku, available: change.available, reserved: change.reserved, sold: change.sold };
}

/** A line that could not be served, with what was there when it was tried. */
export interface Shortage {
  readonly sku: string;
  readonly requested: number;
  /** 0 for a SKU inventory does not know. */
  readonly available: number;
}

/** Largest number of units one restock may add. */
export const MAX_RESTOCK = 1_000_000;

/** A number of units to move: a whole number from 1 to `max`. */
export function checkQuantity(path: string, quantity: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > max) {
    throw new InvalidQuantityError({ path, message: `must be a whole number from 1 to ${max}` });
  }
  return quantity;
}
