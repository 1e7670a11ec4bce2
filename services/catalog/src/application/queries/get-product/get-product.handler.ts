import { Inject, Injectable } from '@nestjs/common';
import { ProductNotFoundError } from '../../../domain/catalog.errors';
import type { Product } from '../../../domain/product.aggregate';
import { PRODUCT_REPOSITORY, type ProductRepository } from '../../../domain/product.repository';

@Injectable()
export class GetProductHandler {
  constructor(@Inject(PRODUCT_REPOSITORY) private readonly products: ProductRepository) {}

  async execute(id: string): Promise<Product> {
    const product = await this.products.findById(id);
    if (!product) throw new ProductNotFoundError(id);
    return product;
  }
}
