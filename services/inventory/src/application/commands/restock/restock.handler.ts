import { Inject, Injectable } from '@nestjs/common';
import { UNIT_OF_WORK, type UnitOfWork } from '@storefront/ddd';
import { stockChanged } from '../../../domain/inventory.domain-event';
import { StockNotFoundError } from '../../../domain/inventory.errors';
import {
  INVENTORY_EVENT_REPOSITORY,
  STOCK_REPOSITORY,
  type InventoryEventRepository,
  type StockRepository,
} from '../../../domain/inventory.repository';
import { checkQuantity, levelOf, MAX_RESTOCK, type StockLevel } from '../../../domain/stock-level.value-object';
import type { RestockCommand } from './restock.command';

@Injectable()
export class RestockHandler {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly unitOfWork: UnitOfWork,
    @Inject(STOCK_REPOSITORY) private readonly stock: StockRepository,
    @Inject(INVENTORY_EVENT_REPOSITORY) private readonly events: InventoryEventRepository,
  ) {}

  /** Adds to available and returns the new level. */
  async execute(command: RestockCommand): Promise<StockLevel> {
    const quantity = checkQuantity('quantity', command.quantity, MAX_RESTOCK);
    return this.unitOfWork.run(async (tx) => {
      const level = await this.stock.restock(command.sku, quantity, tx);
      if (!level) throw new StockNotFoundError(command.sku);
      await this.events.append([stockChanged(level, 'restock', new Date())], tx);
      return levelOf(level);
    });
  }
}
