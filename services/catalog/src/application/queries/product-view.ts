import { Inject, Injectable } from '@nestjs/common';
import { ReadView } from '@storefront/service-kit';
import { CATALOG_CONFIG, type CatalogConfig } from '../../config';
import { Availability } from '../../domain/availability.value-object';
import type { Product } from '../../domain/product.aggregate';
import { AVAILABILITY_READER, type AvailabilityReader } from '../ports/availability.port';

/** A product as the catalog shows it: the product and its availability from the read model. */
export interface ProductView {
  readonly product: Product;
  readonly availability: Availability;
  /** The stock-change version the availability comes from; 0 when there is none. */
  readonly availabilityVersion: number;
}

/**
 * One product with the units its availability row says (undefined: none yet) and that row's
 * version, read together: the product page is the hottest read, and one query instead of three
 * (product, category, availability) is most of its cost (docs/bench.md).
 */
export interface ProductViewReader {
  byId(id: string): Promise<FoundView | null>;
  /** The products of these ids that exist, in no particular order. */
  byIds(ids: readonly string[]): Promise<FoundView[]>;
}

/** A product, the units its availability row says (undefined: none yet) and that row's version. */
export interface FoundView {
  readonly product: Product;
  readonly available: number | undefined;
  readonly version: number;
}

export const PRODUCT_VIEW_READER = Symbol('ProductViewReader');

export const productTag = (id: string) => `product:${id}`;
export const skuTag = (sku: string) => `sku:${sku}`;

/**
 * Joins products with the availability read model. Single products (the product page, GetProduct)
 * come from an in-memory view of at most PRODUCT_VIEW_MAX_ENTRIES, each kept PRODUCT_VIEW_TTL_MS at
 * most and dropped when the product changes (this replica's writes at once, every replica's through
 * the product events) or its stock does (the stock events; an answer older than a stock change
 * already announced, because the projection has not applied it yet, is not kept).
 */
@Injectable()
export class ProductViews {
  readonly cache: ReadView<ProductView>;

  constructor(
    @Inject(AVAILABILITY_READER) private readonly availability: AvailabilityReader,
    @Inject(PRODUCT_VIEW_READER) private readonly reader: ProductViewReader,
    @Inject(CATALOG_CONFIG) private readonly config: CatalogConfig,
  ) {
    this.cache = new ReadView({ name: 'catalog-products', maxEntries: config.PRODUCT_VIEW_MAX_ENTRIES, ttlMs: config.PRODUCT_VIEW_TTL_MS });
  }

  /** One product and its availability, from memory or in one query; null when there is no such product. */
  byId(id: string): Promise<ProductView | null> {
    return this.cache.read(id, async () => {
      const found = await this.reader.byId(id);
      if (!found) return null;
      const { product, available, version } = found;
      const sku = skuTag(product.snapshot.sku);
      return {
        value: { product, availability: Availability.of(available, this.config.LOW_STOCK_THRESHOLD), availabilityVersion: version },
        tags: [productTag(product.snapshot.id), sku],
        versions: { [sku]: version },
      };
    });
  }

  /** The product view kept in memory for this id, if any. */
  cached(id: string): ProductView | undefined {
    return this.cache.peek(id);
  }

  /**
   * The products of these ids that exist with their availability, read in one query and not kept:
   * placing an order prices it from what the database holds at that moment.
   */
  async byIds(ids: readonly string[]): Promise<ProductView[]> {
    return (await this.reader.byIds(ids)).map(({ product, available, version }) => ({
      product,
      availability: Availability.of(available, this.config.LOW_STOCK_THRESHOLD),
      availabilityVersion: version,
    }));
  }

  async of(products: readonly Product[]): Promise<ProductView[]> {
    if (products.length === 0) return [];
    const available = await this.availability.availableBySku([...new Set(products.map((product) => product.snapshot.sku))]);
    return products.map((product) => {
      const stock = available.get(product.snapshot.sku);
      return {
        product,
        availability: Availability.of(stock?.available, this.config.LOW_STOCK_THRESHOLD),
        availabilityVersion: stock?.version ?? 0,
      };
    });
  }

  async one(product: Product): Promise<ProductView> {
    const [view] = await this.of([product]);
    return view as ProductView;
  }
}
