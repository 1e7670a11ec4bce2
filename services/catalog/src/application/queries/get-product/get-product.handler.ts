import { Injectable } from '@nestjs/common';
import { ProductNotFoundError } from '../../../domain/catalog.errors';
import { ProductViews, type ProductView } from '../product-view';

@Injectable()
export class GetProductHandler {
  constructor(private readonly views: ProductViews) {}

  async execute(id: string): Promise<ProductView> {
    const view = await this.views.byId(id);
    if (!view) throw new ProductNotFoundError(id);
    return view;
  }
}
