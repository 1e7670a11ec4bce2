import { Money } from '@storefront/ddd';
import type { Category } from '../../domain/category.entity';
import { Product } from '../../domain/product.aggregate';
import type { Category as CategoryRow, Product as ProductRow } from './generated/client';

export type ProductRowWithCategory = ProductRow & { category: CategoryRow };

export function toCategory(row: CategoryRow): Category {
  return { id: row.id, slug: row.slug, name: row.name, description: row.description };
}

export function toProduct(row: ProductRowWithCategory): Product {
  return Product.restore({
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    category: toCategory(row.category),
    price: Money.of(row.priceMinor, row.currency),
    imageUrl: row.imageUrl,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });
}
