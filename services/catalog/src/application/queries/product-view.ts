import { Inject, Injectable } from '@nestjs/common';
import { CATALOG_CONFIG, type CatalogConfig } from '../../config';
import { AVAILABILITY_READER, type AvailabilityReader } from '../ports/availability.port';
import { Availability } from '../../domain/availability.value-object';
import type { Product } from '../../domain/product.aggregate';

/** A product as the catalog shows it: the product and its availability from the read model. */
export interface ProductView {
  readonly product: Product;
  readonly availability: Availability;
}

/** Joins products with the availability read model in one query, however many products there are. */
@Injectable()
export class ProductViews {
  constructor(
    @Inject(AVAILABILITY_READER) private readonly availability: AvailabilityReader,
    @Inject(CATALOG_CONFIG) private readonly config: CatalogConfig,
  ) {}

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
