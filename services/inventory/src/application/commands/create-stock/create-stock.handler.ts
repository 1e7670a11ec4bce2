import { Inject, Injectable } from '@nestjs/common';
import type { Transaction } from '@storefront/ddd';
import { INVENTORY_CONFIG, type InventoryConfig } from '../../../config';
import { stockChanged } from '../../../domain/inventory.domain-event';
import {
  INVENTORY_EVENT_REPOSITORY,
  STOCK_REPOSITORY,
  type InventoryEventRepository,
  type StockRepository,
} from '../../../domain/inventory.repository';
import type { CreateStockCommand } from './create-stock.command';

@Injectable()
export class CreateStockHandler {
  constructor(
    @Inject(STOCK_REPOSITORY) private readonly stock: StockRepository,
    @Inject(INVENTORY_EVENT_REPOSITORY) private readonly events: InventoryEventRepository,
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
  ) {}

  /** Starts the SKU at INITIAL_STOCK; a SKU that already has stock keeps it, and nothing is announced. */
  async execute(command: CreateStockCommand, tx: Transaction): Promise<void> {
    const level = await this.stock.create(command.sku, this.config.INITIAL_STOCK, tx);
    if (level) await this.events.append([stockChanged(level, 'created', new Date())], tx);
  }
}
