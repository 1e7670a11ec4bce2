import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Money } from '@storefront/ddd';
import { CategoryNotFoundError } from '../../../domain/catalog.errors';
import { Product } from '../../../domain/product.aggregate';
import {
  CATEGORY_REPOSITORY,
  PRODUCT_REPOSITORY,
  type CategoryRepository,
  type ProductRepository,
} from '../../../domain/product.repository';
import { ProductViews, type ProductView } from '../../queries/product-view';
import type { CreateProductCommand } from './create-product.command';

@Injectable()
export class CreateProductHandler {
  constructor(
    @Inject(PRODUCT_REPOSITORY) private readonly products: ProductRepository,
    @Inject(CATEGORY_REPOSITORY) private readonly categories: CategoryRepository,
    private readonly views: ProductViews,
  ) {}

  /** Answers with the product as the read path shows it (inventory may already know the SKU). */
  async execute(command: CreateProductCommand): Promise<ProductView> {
    const category = await this.categories.findBySlug(command.categorySlug);
    if (!category) throw new CategoryNotFoundError(command.categorySlug);
    const product = Product.create(
      {
        id: randomUUID(),
        sku: command.sku,
        name: command.name,
        description: command.description,
        category,
        price: Money.of(command.price.amountMinor, command.price.currency, 'price'),
        imageUrl: command.imageUrl,
      },
      new Date(),
    );
    await this.products.insert(product);
    return this.views.one(product);
  }
}
