import { Injectable } from '@nestjs/common';
import { ValidationError } from '@storefront/ddd';
import { ProductViews, type ProductView } from '../product-view';

const MAX_IDS_PER_REQUEST = 100;

export interface ProductsByIds {
  /** In the order the ids were asked for, each product once. */
  readonly products: ProductView[];
  readonly missingIds: string[];
}

/** Batch lookup used to price an order in one round trip. */
@Injectable()
export class GetProductsByIdsHandler {
  constructor(private readonly views: ProductViews) {}

  async execute(ids: readonly string[]): Promise<ProductsByIds> {
    const unique = [...new Set(ids)];
    if (unique.length > MAX_IDS_PER_REQUEST) {
      throw new ValidationError(`At most ${MAX_IDS_PER_REQUEST} ids per request`, [
        { path: 'ids', message: `must hold at most ${MAX_IDS_PER_REQUEST} ids` },
      ]);
    }
    const views = await this.views.byIds(unique);
    const found = new Map(views.map((view) => [view.product.id, view]));
    return {
      products: unique.flatMap((id) => found.get(id) ?? []),
      missingIds: unique.filter((id) => !found.has(id)),
    };
  }
}
