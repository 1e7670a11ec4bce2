import { Inject, Injectable } from '@nestjs/common';
import { StockNotFoundError } from '../../../domain/inventory.errors';
import { STOCK_REPOSITORY, type StockRepository } from '../../../domain/inventory.repository';
import type { StockLevel } from '../../../domain/stock-level.value-object';

@Injectable()
export class GetStockHandler {
  constructor(@Inject(STOCK_REPOSITORY) private readonly stock: StockRepository) {}

  async execute(sku: string): Promise<StockLevel> {
    const level = await this.stock.find(sku);
    if (!level) throw new StockNotFoundError(sku);
    return level;
  }
}
