import { Inject, Injectable } from '@nestjs/common';
import { Money } from '@storefront/ddd';
import { CategoryNotFoundError, ProductNotFoundError } from '../../../domain/catalog.errors';
import type { Category } from '../../../domain/category.entity';
import {
  CATEGORY_REPOSITORY,
  PRODUCT_REPOSITORY,
  type CategoryRepository,
  type ProductRepository,
} from '../../../domain/product.repository';
import { productTag, ProductViews, type ProductView } from '../../queries/product-view';
import type { UpdateProductCommand } from './update-product.command';

@Injectable()
export class UpdateProductHandler {
  constructor(
    @Inject(PRODUCT_REPOSITORY) private readonly products: ProductRepository,
    @Inject(CATEGORY_REPOSITORY) private readonly categories: CategoryRepository,
    private readonly views: ProductViews,
  ) {}

  async execute(command: UpdateProductCommand): Promise<ProductView> {
    const product = await this.products.findById(command.id);
    if (!product) throw new ProductNotFoundError(command.id);
    let category: Category | undefined;
    if (command.categorySlug !== undefined) {
      category = (await this.categories.findBySlug(command.categorySlug)) ?? undefined;
      if (!category) throw new CategoryNotFoundError(command.categorySlug);
    }
    const changed = product.update(
      {
        name: command.name,
        description: command.description,
        category,
        price: command.price && Money.of(command.price.amountMinor, command.price.currency, 'price'),
        imageUrl: command.imageUrl,
      },
      new Date(),
    );
    if (changed) {
      await this.products.update(product);
      // Committed: this replica's next read sees it at once; other replicas drop it on the event.
      this.views.cache.invalidate(productTag(product.snapshot.id));
    }
    return this.views.one(product);
  }
}
