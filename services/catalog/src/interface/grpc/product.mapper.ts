import { type catalogV1, toProtoTimestamp } from '@storefront/contracts';
import type { Category } from '../../domain/category.entity';
import type { Product } from '../../domain/product.aggregate';

export function toProtoCategory(category: Category): catalogV1.Category {
  return { slug: category.slug, name: category.name, description: category.description };
}

export function toProtoProduct(product: Product): catalogV1.Product {
  const state = product.snapshot;
  return {
    id: state.id,
    sku: state.sku,
    name: state.name,
    description: state.description,
    category: toProtoCategory(state.category),
    price: { amountMinor: state.price.amountMinor, currency: state.price.currency },
    imageUrl: state.imageUrl ?? '',
    createdAt: toProtoTimestamp(state.createdAt),
    updatedAt: toProtoTimestamp(state.updatedAt),
  };
}
