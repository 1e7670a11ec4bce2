import { Injectable } from '@nestjs/common';
import { ProductCreatedV1, ProductUpdatedV1, StockChangedV1, type EnvelopeOf } from '@storefront/contracts';
import { EventWatcher } from '@storefront/messaging';
import { productTag, ProductViews, skuTag } from '../../application/queries/product-view';

/**
 * Keeps the in-memory product views of this replica true: drops a product on its events (another
 * replica's writes) and on its SKU's stock changes. Watched, not consumed: every replica needs every
 * event, and nothing is written (see EventWatcher). A stock change is announced with its version,
 * so an answer read before this replica's projection applied it is not kept.
 */
@Injectable()
export class ProductViewConsumer {
  constructor(views: ProductViews, watcher: EventWatcher) {
    watcher.watch([ProductCreatedV1, ProductUpdatedV1, StockChangedV1], {
      onEvent: (event, definition) => {
        if (definition === StockChangedV1) {
          const { sku, version } = (event as EnvelopeOf<typeof StockChangedV1>).payload;
          views.cache.invalidate(skuTag(sku), version);
        } else {
          views.cache.invalidate(productTag((event as EnvelopeOf<typeof ProductUpdatedV1>).payload.productId));
        }
      },
      onInterrupted: () => views.cache.suspend(),
      onResumed: () => views.cache.resume(),
    });
  }
}
