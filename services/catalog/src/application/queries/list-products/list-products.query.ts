export type ProductSort = 'name' | '-name' | 'price' | '-price' | 'createdAt' | '-createdAt';

export interface ListProductsQuery {
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
  readonly category?: string | undefined;
  readonly search?: string | undefined;
  readonly sort?: ProductSort | undefined;
}

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
