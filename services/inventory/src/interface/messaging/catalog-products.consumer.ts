import { Injectable } from '@nestjs/common';
import { ProductCreatedV1, type EnvelopeOf } from '@storefront/contracts';
import { HandlesEvent, type SqlTransaction } from '@storefront/messaging';
import { CreateStockHandler } from '../../application/commands/create-stock/create-stock.handler';
import { asTransaction } from '../../infrastructure/prisma/prisma-unit-of-work';

/** Stock starts when the catalog adds a product (CATALOG stream, durable consumer inventory-products). */
/** The durable consumer (and inbox) name of catalog's product events in inventory. */
export const INVENTORY_PRODUCTS_CONSUMER = 'inventory-products';

@Injectable()
export class CatalogProductsConsumer {
  constructor(private readonly createStock: CreateStockHandler) {}

  @HandlesEvent(ProductCreatedV1, { consumer: INVENTORY_PRODUCTS_CONSUMER })
  async onProductCreated(event: EnvelopeOf<typeof ProductCreatedV1>, tx: SqlTransaction): Promise<void> {
    await this.createStock.execute({ sku: event.payload.sku }, asTransaction(tx));
  }
}
