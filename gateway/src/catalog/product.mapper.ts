import {
  AVAILABILITY_STATUSES,
  fromProtoTimestamp,
  type AvailabilityStatus,
  type catalogV1,
  type CategoryDto,
  type ProductAvailabilityDto,
  type ProductDto,
} from '@storefront/contracts';

const EPOCH = { seconds: 0, nanos: 0 };
const UNKNOWN: ProductAvailabilityDto = { status: 'unknown', available: null };

export function toCategoryDto(category: catalogV1.Category | undefined): CategoryDto {
  return { slug: category?.slug ?? '', name: category?.name ?? '', description: category?.description ?? '' };
}

/** A catalog that does not send availability yet, or a status this gateway does not know, is "unknown". */
export function toAvailabilityDto(availability: catalogV1.ProductAvailability | undefined): ProductAvailabilityDto {
  if (!availability?.known) return UNKNOWN;
  const status = availability.status as AvailabilityStatus;
  if (status === 'unknown' || !AVAILABILITY_STATUSES.includes(status)) return UNKNOWN;
  return { status, available: availability.available };
}

export function toProductDto(product: catalogV1.Product | undefined): ProductDto {
  if (!product) throw new Error('catalog answered without a product');
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    description: product.description,
    category: toCategoryDto(product.category),
    price: { amountMinor: product.price?.amountMinor ?? 0, currency: product.price?.currency ?? '' },
    imageUrl: product.imageUrl === '' ? null : product.imageUrl,
    createdAt: fromProtoTimestamp(product.createdAt ?? EPOCH).toISOString(),
    updatedAt: fromProtoTimestamp(product.updatedAt ?? EPOCH).toISOString(),
    availability: toAvailabilityDto(product.availability),
  };
}
