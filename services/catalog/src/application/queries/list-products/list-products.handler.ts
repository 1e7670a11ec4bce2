import { Inject, Injectable } from '@nestjs/common';
import { PRODUCT_REPOSITORY, type ProductRepository, type ProductSortField } from '../../../domain/product.repository';
import { ProductViews, type ProductView } from '../product-view';
import { DEFAULT_LIMIT, MAX_LIMIT, type ListProductsQuery } from './list-products.query';
import { decodeCursor, encodeCursor } from './product-cursor';

export interface ProductPage {
  readonly items: ProductView[];
  readonly nextCursor: string | null;
}

@Injectable()
export class ListProductsHandler {
  constructor(
    @Inject(PRODUCT_REPOSITORY) private readonly products: ProductRepository,
    private readonly views: ProductViews,
  ) {}

  async execute(query: ListProductsQuery): Promise<ProductPage> {
    const sort = query.sort ?? 'name';
    const descending = sort.startsWith('-');
    const sortField = (descending ? sort.slice(1) : sort) as ProductSortField;
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT);
    const after = query.cursor ? decodeCursor(query.cursor, sort, sortField) : undefined;

    // One extra row tells whether another page exists without a COUNT.
    const rows = await this.products.list({
      limit: limit + 1,
      sortField,
      descending,
      after,
      categorySlug: query.category,
      nameContains: query.search,
    });
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    const nextCursor = rows.length > limit && last ? encodeCursor(sort, sortField, last) : null;
    return { items: await this.views.of(items), nextCursor };
  }
}
