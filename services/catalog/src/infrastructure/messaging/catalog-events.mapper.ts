import { ProductCreatedV1, ProductUpdatedV1, type EventEnvelope } from '@storefront/contracts';
import { createEvent } from '@storefront/messaging';
import type { ProductState } from '../../domain/product.aggregate';
import type { ProductDomainEvent } from '../../domain/product.domain-event';

const SOURCE = 'catalog';

function snapshot(product: ProductState) {
  return {
    productId: product.id,
    sku: product.sku,
    name: product.name,
    description: product.description,
    category: { slug: product.category.slug, name: product.category.name },
    price: { amountMinor: product.price.amountMinor, currency: product.price.currency },
    imageUrl: product.imageUrl,
  };
}

/** Domain events → the integration events other services consume (catalog.product-*.v1). */
export function toIntegrationEvent(event: ProductDomainEvent): EventEnvelope {
  const common = { source: SOURCE, aggregateId: event.product.id, occurredAt: event.occurredAt };
  switch (event.kind) {
    case 'ProductCreated':
      return createEvent(ProductCreatedV1, { ...common, payload: snapshot(event.product) });
    case 'ProductUpdated':
      return createEvent(ProductUpdatedV1, {
        ...common,
        payload: { ...snapshot(event.product), changedFields: [...event.changedFields] },
      });
  }
}
