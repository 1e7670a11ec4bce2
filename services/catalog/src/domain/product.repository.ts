import type { Category } from './category.entity';
import type { Product } from './product.aggregate';

export type ProductSortField = 'name' | 'price' | 'createdAt';

/** Where a page starts: the sort value and id of the last product of the previous page. */
export interface ProductPosition {
  readonly value: string | number;
  readonly id: string;
}

export interface ProductListCriteria {
  readonly limit: number;
  readonly sortField: ProductSortField;
  readonly descending: boolean;
  readonly after?: ProductPosition | undefined;
  readonly categorySlug?: string | undefined;
  readonly nameContains?: string | undefined;
}

/** Persistence port of the catalog; implemented with Prisma in infrastructure/. */
export interface ProductRepository {
  findById(id: string): Promise<Product | null>;
  /** Up to `limit` products in keyset order after `after`. */
  list(criteria: ProductListCriteria): Promise<Product[]>;
  /** Throws SkuAlreadyExistsError when the SKU is taken. */
  insert(product: Product): Promise<void>;
  update(product: Product): Promise<void>;
}

export interface CategoryRepository {
  findBySlug(slug: string): Promise<Category | null>;
  list(): Promise<Category[]>;
}

export const PRODUCT_REPOSITORY = Symbol('ProductRepository');
export const CATEGORY_REPOSITORY = Symbol('CategoryRepository');
