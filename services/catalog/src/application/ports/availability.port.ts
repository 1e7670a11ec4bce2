/**
 * The availability read model (stock per SKU as inventory last reported it), kept by the
 * availability projection; implemented with Prisma in infrastructure/.
 */
export interface AvailabilityReader {
  /** Units available of each given SKU the read model has heard of, and the stock-change version they come from; one query for all of them. */
  availableBySku(skus: readonly string[]): Promise<ReadonlyMap<string, { available: number; version: number }>>;
  /** When the newest event the read model applied occurred; null before the first one. */
  lastEventAt(): Promise<Date | null>;
}

export const AVAILABILITY_READER = Symbol('AvailabilityReader');
