import { InvalidQuantityError } from './inventory.errors';
import { checkQuantity } from './stock-level.value-object';

export interface ReservationLine {
  readonly sku: string;
  readonly quantity: number;
}

function bySku(a: ReservationLine, b: ReservationLine): number {
  return a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0;
}

/**
 * The units an order holds: one line per SKU, sorted by SKU. The order matters: every transaction
 * touches stock rows in SKU order, so two transactions never wait for each other's row locks in a
 * cycle (no deadlocks between concurrent reservations).
 */
export class ReservationLines {
  /** What a tombstone holds. */
  static readonly none = new ReservationLines([]);

  private constructor(readonly items: readonly ReservationLine[]) {}

  /**
   * Merges lines of the same SKU. Refuses an empty order and quantities below 1; a quantity larger
   * than any stock is allowed here and simply cannot be served.
   */
  static of(lines: readonly ReservationLine[]): ReservationLines {
    if (lines.length === 0) throw new InvalidQuantityError({ path: 'lines', message: 'must hold at least one line' });
    const merged = new Map<string, number>();
    lines.forEach((line, index) => {
      checkQuantity(`lines.${index}.quantity`, line.quantity);
      merged.set(line.sku, checkQuantity(`lines.${index}.quantity`, (merged.get(line.sku) ?? 0) + line.quantity));
    });
    return new ReservationLines([...merged].map(([sku, quantity]) => ({ sku, quantity })).sort(bySku));
  }

  /** Lines as stored (none for a tombstone). */
  static restore(lines: readonly ReservationLine[]): ReservationLines {
    return lines.length === 0 ? ReservationLines.none : new ReservationLines([...lines].sort(bySku));
  }

  get isEmpty(): boolean {
    return this.items.length === 0;
  }

  get skus(): string[] {
    return this.items.map((line) => line.sku);
  }
}
