import { Inject, Injectable } from '@nestjs/common';
import { ValidationError } from '@storefront/ddd';
import type { Product } from '../../../domain/product.aggregate';
import { PRODUCT_REPOSITORY, type ProductRepository } from '../../../domain/product.repository';

export const MAX_IDS_PER_REQUEST = 100;

export interface ProductsByIds {
  /** In the order the ids were asked for, each product once. */
  readonly products: Product[];
  readonly missingIds: string[];
}

/** Batch lookup used to price an order in one round trip. */
@Injectable()
export class GetProductsByIdsHandler {
  constructor(@Inject(PRODUCT_REPOSITORY) private readonly products: ProductRepository) {}

  async execute(ids: readonly string[]): Promise<ProductsByIds> {
    const unique = [...new Set(ids)];
    if (unique.length > MAX_IDS_PER_REQUEST) {
      throw new ValidationError(`At most ${MAX_IDS_PER_REQUEST} ids per request`, [
        { path: 'ids', message: `must hold at most ${MAX_IDS_PER_REQUEST} ids` },
      ]);
    }
    const found = new Map((await this.products.findByIds(unique)).map((product) => [product.id, product]));
    return {
      products: unique.flatMap((id) => found.get(id) ?? []),
      missingIds: unique.filter((id) => !found.has(id)),
    };
  }
}
