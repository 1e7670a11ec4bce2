import type { ProductState } from './product.aggregate';

export type ProductField = 'name' | 'description' | 'category' | 'price' | 'imageUrl';

/** Facts inside the catalog; infrastructure turns them into integration events for other services. */
export type ProductDomainEvent =
  | { readonly kind: 'ProductCreated'; readonly product: ProductState; readonly occurredAt: Date }
  | {
      readonly kind: 'ProductUpdated';
      readonly product: ProductState;
      readonly changedFields: readonly ProductField[];
      readonly occurredAt: Date;
    };
