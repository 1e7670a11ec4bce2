import type { CategoryDto, ProductAvailabilityDto, ProductDto } from '@storefront/contracts';
import { representationOf, type Representation } from '@storefront/service-kit';
import type { ProductView } from '../../application/queries/product-view';
import type { Availability } from '../../domain/availability.value-object';
import type { Category } from '../../domain/category.entity';

export function toCategoryDto(category: Category): CategoryDto {
  return { slug: category.slug, name: category.name, description: category.description };
}

function toAvailabilityDto(availability: Availability): ProductAvailabilityDto {
  return { status: availability.status, available: availability.available };
}

export function toProductDto({ product, availability }: ProductView): ProductDto {
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
    availability: toAvailabilityDto(availability),
  };
}

const pages = new WeakMap<ProductView, Representation>();

/** The product page's JSON and ETag, serialised once per view object (a kept view is one object until it is dropped). */
export function productPageOf(view: ProductView): Representation {
  let page = pages.get(view);
  if (!page) pages.set(view, (page = representationOf(toProductDto(view))));
  return page;
}
