import { Inject, Injectable } from '@nestjs/common';
import { ProductNotFoundError } from '../../../domain/catalog.errors';
import { PRODUCT_REPOSITORY, type ProductRepository } from '../../../domain/product.repository';
import { type ProductView, ProductViews } from '../product-view';

@Injectable()
export class GetProductHandler {
  constructor(
    @Inject(PRODUCT_REPOSITORY) private readonly products: ProductRepository,
    private readonly views: ProductViews,
  ) {}

  async execute(id: string): Promise<ProductView> {
    const product = await this.products.findById(id);
    if (!product) throw new ProductNotFoundError(id);
    return this.views.one(product);
  }
}
