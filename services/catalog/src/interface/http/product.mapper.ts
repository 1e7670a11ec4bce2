import type { CategoryDto, ProductDto } from '@storefront/contracts';
import type { Category } from '../../domain/category.entity';
import type { Product } from '../../domain/product.aggregate';

export function toCategoryDto(category: Category): CategoryDto {
  return { slug: category.slug, name: category.name, description: category.description };
}

export function toProductDto(product: Product): ProductDto {
  const state = product.snapshot;
  return {
    id: state.id,
    sku: state.sku,
    name: state.name,
    description: state.description,
    category: toCategoryDto(state.category),
    price: { amountMinor: state.price.amountMinor, currency: state.price.currency },
    imageUrl: state.imageUrl,
    createdAt: state.createdAt.toISOString(),
    updatedAt: state.updatedAt.toISOString(),
  };
}
