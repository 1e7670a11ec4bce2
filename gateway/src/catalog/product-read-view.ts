import { Inject, Injectable } from '@nestjs/common';
import { ProductCreatedV1, ProductUpdatedV1, StockChangedV1, type catalogV1, type EnvelopeOf } from '@storefront/contracts';
import { EventWatcher } from '@storefront/messaging';
import { ReadView, representationOf, type Representation } from '@storefront/service-kit';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { toProductDto } from './product.mapper';

/** How clients may keep a product page: any cache, revalidated (ETag → 304) before every use. */
export const PRODUCT_CACHE_CONTROL = 'public, no-cache';

const productTag = (id: string) => `product:${id}`;
const skuTag = (sku: string) => `sku:${sku}`;

/**
 * The product pages the gateway answers without asking the catalog: the serialised answer of
 * GetProduct per product id, bounded (PRODUCT_VIEW_MAX_ENTRIES, least recently read out) and
 * expiring (PRODUCT_VIEW_TTL_MS, the safety net). Dropped on the catalog's product events (by
 * product id) and on inventory's stock changes (by SKU); a catalog answer older than a stock change
 * already seen (its availability version is lower: the catalog's projection has not applied it yet)
 * is served but not kept. While the event watch is interrupted nothing is kept. A 404 is never kept.
 */
@Injectable()
export class ProductReadView {
  private readonly view: ReadView<Representation>;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, watcher: EventWatcher) {
    this.view = new ReadView({ name: 'gateway-products', maxEntries: config.PRODUCT_VIEW_MAX_ENTRIES, ttlMs: config.PRODUCT_VIEW_TTL_MS });
    watcher.watch([ProductCreatedV1, ProductUpdatedV1, StockChangedV1], {
      onEvent: (event, definition) => {
        if (definition === StockChangedV1) {
          const { sku, version } = (event as EnvelopeOf<typeof StockChangedV1>).payload;
          this.view.invalidate(skuTag(sku), version);
        } else {
          this.invalidateProduct((event as EnvelopeOf<typeof ProductUpdatedV1>).payload.productId);
        }
      },
      onInterrupted: () => this.view.suspend(),
      onResumed: () => this.view.resume(),
    });
  }

  /** The kept answer for this id, if any. */
  cached(id: string): Representation | undefined {
    return this.view.peek(id);
  }

  /** The kept answer, or the catalog's (kept unless an event overtook it); null when there is no such product. */
  read(id: string, load: () => Promise<catalogV1.Product | undefined>): Promise<Representation | null> {
    return this.view.read(id, async () => {
      const product = await load();
      if (!product) return null;
      const sku = skuTag(product.sku);
      return {
        value: representationOf(toProductDto(product)),
        tags: [productTag(product.id), sku],
        versions: { [sku]: product.availability?.version ?? 0 },
      };
    });
  }

  /** After a write through this gateway: its next read asks the catalog, whatever the event's delay. */
  invalidateProduct(id: string): void {
    this.view.invalidate(productTag(id));
  }
}
