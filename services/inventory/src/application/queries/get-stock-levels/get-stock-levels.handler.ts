import { Inject, Injectable } from '@nestjs/common';
import { ValidationError } from '@storefront/ddd';
import { STOCK_REPOSITORY, type StockRepository } from '../../../domain/inventory.repository';
import type { StockLevel } from '../../../domain/stock-level.value-object';

export const MAX_SKUS_PER_REQUEST = 100;

export interface StockLevels {
  /** In the order the SKUs were asked for, each SKU once. */
  readonly levels: StockLevel[];
  readonly unknownSkus: string[];
}

/** Batch lookup, e.g. to show availability next to a page of products. */
@Injectable()
export class GetStockLevelsHandler {
  constructor(@Inject(STOCK_REPOSITORY) private readonly stock: StockRepository) {}

  async execute(skus: readonly string[]): Promise<StockLevels> {
    const unique = [...new Set(skus)];
    if (unique.length > MAX_SKUS_PER_REQUEST) {
      throw new ValidationError(`At most ${MAX_SKUS_PER_REQUEST} SKUs per request`, [
        { path: 'skus', message: `must hold at most ${MAX_SKUS_PER_REQUEST} SKUs` },
      ]);
    }
    const found = new Map((await this.stock.findMany(unique)).map((level) => [level.sku, level]));
    return {
      levels: unique.flatMap((sku) => found.get(sku) ?? []),
      unknownSkus: unique.filter((sku) => !found.has(sku)),
    };
  }
}
