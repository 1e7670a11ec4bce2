import { toProtoTimestamp, type catalogV1 } from '@storefront/contracts';
import type { ProductView } from '../../application/queries/product-view';
import type { Availability } from '../../domain/availability.value-object';
import type { Category } from '../../domain/category.entity';

export function toProtoCategory(category: Category): catalogV1.Category {
  return { slug: category.slug, name: category.name, description: category.description };
}

/** proto3 has no null: an unknown availability is `known: false` with 0 units. */
function toProtoAvailability(availability: Availability, version: number): catalogV1.ProductAvailability {
  return { status: availability.status, available: availability.available ?? 0, known: availability.available !== null, version };
}

export function toProtoProduct({ product, availability, availabilityVersion }: ProductView): catalogV1.Product {
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
    availability: toProtoAvailability(availability, availabilityVersion),
  };
}
