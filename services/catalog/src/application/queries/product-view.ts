import { Inject, Injectable } from '@nestjs/common';
import { CATALOG_CONFIG, type CatalogConfig } from '../../config';
import { Availability } from '../../domain/availability.value-object';
import type { Product } from '../../domain/product.aggregate';
import { AVAILABILITY_READER, type AvailabilityReader } from '../ports/availability.port';

/** A product as the catalog shows it: the product and its availability from the read model. */
export interface ProductView {
  readonly product: Product;
  readonly availability: Availability;
}

/**
 * One product with the units its availability row says (undefined: none yet), read together: the
 * product page is the hottest read, and one query instead of three (product, category, availability)
 * is most of its cost (docs/bench.md).
 */
export interface ProductViewReader {
  byId(id: string): Promise<{ product: Product; available: number | undefined } | null>;
}

export const PRODUCT_VIEW_READER = Symbol('ProductViewReader');

/** Joins products with the availability read model in one query, however many products there are. */
@Injectable()
export class ProductViews {
  constructor(
    @Inject(AVAILABILITY_READER) private readonly availability: AvailabilityReader,
    @Inject(PRODUCT_VIEW_READER) private readonly reader: ProductViewReader,
    @Inject(CATALOG_CONFIG) private readonly config: CatalogConfig,
  ) {}

  /** One product and its availability in one query; null when there is no such product. */
  async byId(id: string): Promise<ProductView | null> {
    const found = await this.reader.byId(id);
    return found && { product: found.product, availability: Availability.of(found.available, this.config.LOW_STOCK_THRESHOLD) };
  }

  async of(products: readonly Product[]): Promise<ProductView[]> {
    if (products.length === 0) return [];
    const available = await this.availability.availableBySku([...new Set(products.map((product) => product.snapshot.sku))]);
    return products.map((product) => ({
      product,
      availability: Availability.of(available.get(product.snapshot.sku), this.config.LOW_STOCK_THRESHOLD),
    }));
  }

  async one(product: Product): Promise<ProductView> {
    const [view] = await this.of([product]);
    return view as ProductView;
  }
}
