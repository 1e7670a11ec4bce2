export type AvailabilityStatus = 'in_stock' | 'low' | 'out_of_stock' | 'unknown';

/**
 * How much of a product can be ordered, as the catalog last heard from inventory. Inventory owns
 * stock; this is a copy that may lag behind it by a moment, good for showing, not for promising.
 */
export class Availability {
  /** The catalog has not heard of stock for the SKU yet. */
  static readonly UNKNOWN = new Availability('unknown', null);

  private constructor(
    readonly status: AvailabilityStatus,
    /** Units available to order; null when unknown. */
    readonly available: number | null,
  ) {}

  /** `available` undefined means unknown; 1 to `lowStockThreshold` units left is "low". */
  static of(available: number | undefined, lowStockThreshold: number): Availability {
    if (available === undefined) return Availability.UNKNOWN;
    // Never below zero in the read model (CHECK constraint); clamped all the same.
    if (available <= 0) return new Availability('out_of_stock', 0);
    return new Availability(available <= lowStockThreshold ? 'low' : 'in_stock', available);
  }
}
