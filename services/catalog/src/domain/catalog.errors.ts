import { DomainError, type FieldIssue } from '@storefront/ddd';

export class ProductNotFoundError extends DomainError {
  readonly code = 'CATALOG.PRODUCT_NOT_FOUND';
  readonly kind = 'not_found';

  constructor(readonly productId: string) {
    super(`Product ${productId} does not exist`);
  }
}

export class CategoryNotFoundError extends DomainError {
  readonly code = 'CATALOG.CATEGORY_NOT_FOUND';
  readonly kind = 'invalid';

  constructor(readonly slug: string) {
    super(`Category "${slug}" does not exist; the categories endpoint lists the valid ones`, {
      issues: [{ path: 'category', message: 'unknown category' }],
    });
  }
}

export class SkuAlreadyExistsError extends DomainError {
  readonly code = 'CATALOG.SKU_TAKEN';
  readonly kind = 'conflict';

  constructor(readonly sku: string) {
    super(`A product with SKU ${sku} already exists`);
  }
}

/** A product property breaks one of the catalog's rules. */
export class InvalidProductError extends DomainError {
  readonly code = 'CATALOG.INVALID_PRODUCT';
  readonly kind = 'invalid';

  constructor(issue: FieldIssue) {
    super(`${issue.path} ${issue.message}`, { issues: [issue] });
  }
}

/** A pagination cursor that was not issued for this query. */
export class InvalidCursorError extends DomainError {
  readonly code = 'CATALOG.INVALID_CURSOR';
  readonly kind = 'invalid';

  constructor() {
    super('The cursor is not one this listing returned; start again without it', {
      issues: [{ path: 'cursor', message: 'unknown or malformed cursor' }],
    });
  }
}
