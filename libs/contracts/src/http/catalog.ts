import { z } from 'zod';

/**
 * The public HTTP contract of the catalog: request schemas validated by the catalog service and by
 * the gateway, and response schemas the gateway publishes in its OpenAPI document.
 */

export const PRODUCT_SORTS = ['name', '-name', 'price', '-price', 'createdAt', '-createdAt'] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/** Largest price accepted, in minor units: 10 million in a two-decimal currency. */
export const MAX_PRICE_MINOR = 1_000_000_000;

export const productIdSchema = z.uuid({ error: 'must be a UUID' });
export const categorySlugSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lower-case slug such as "home-kitchen"')
  .max(64);
export const skuSchema = z
  .string()
  .regex(/^[A-Z0-9][A-Z0-9-]{2,31}$/, 'must be 3-32 upper-case letters, digits or dashes, such as "AUD-0001"');

const positiveIntegerString = z
  .string()
  .regex(/^\d{1,6}$/, 'must be a whole number')
  .transform(Number);

export const listProductsQuerySchema = z.strictObject({
  limit: positiveIntegerString
    .pipe(z.number().int().min(1).max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`))
    .optional()
    .describe(`Page size, 1-${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})`),
  cursor: z
    .string()
    .max(512)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned by a previous page')
    .optional()
    .describe('Opaque cursor from the previous page'),
  category: categorySlugSchema.optional().describe('Only products of this category (slug)'),
  q: z.string().trim().min(1).max(100).optional().describe('Case-insensitive search in product names'),
  sort: z.enum(PRODUCT_SORTS).optional().describe('Sort key; a leading "-" sorts descending (default "name")'),
});
export type ListProductsQuery = z.output<typeof listProductsQuerySchema>;

export const moneySchema = z.strictObject({
  amountMinor: z
    .number()
    .int('must be a whole number of minor units (cents)')
    .min(0)
    .max(MAX_PRICE_MINOR)
    .describe('Amount in the minor unit of the currency, e.g. cents'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "USD"'),
});
export type MoneyDto = z.output<typeof moneySchema>;

const imageUrlSchema = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);

export const createProductBodySchema = z.strictObject({
  sku: skuSchema,
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
  category: categorySlugSchema,
  price: moneySchema,
  imageUrl: imageUrlSchema.nullable().optional(),
});
export type CreateProductBody = z.output<typeof createProductBodySchema>;

export const updateProductBodySchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000),
    category: categorySlugSchema,
    price: moneySchema,
    imageUrl: imageUrlSchema.nullable(),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'must change at least one field');
export type UpdateProductBody = z.output<typeof updateProductBodySchema>;

export const categorySchema = z.object({
  slug: z.string(),
  name: z.string(),
  description: z.string(),
});
export type CategoryDto = z.output<typeof categorySchema>;

export const AVAILABILITY_STATUSES = ['in_stock', 'low', 'out_of_stock', 'unknown'] as const;
export type AvailabilityStatus = (typeof AVAILABILITY_STATUSES)[number];

export const productAvailabilitySchema = z
  .object({
    status: z
      .enum(AVAILABILITY_STATUSES)
      .describe('"low" when few units are left; "unknown" when the catalog has not yet heard of stock for the SKU'),
    available: z.number().int().min(0).nullable().describe('Units available to order; null when unknown'),
  })
  .describe('Stock as last reported by inventory; may lag behind it by a moment');
export type ProductAvailabilityDto = z.output<typeof productAvailabilitySchema>;

export const productSchema = z.object({
  id: z.uuid(),
  sku: z.string(),
  name: z.string(),
  description: z.string(),
  category: categorySchema,
  price: moneySchema,
  imageUrl: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  availability: productAvailabilitySchema,
});
export type ProductDto = z.output<typeof productSchema>;

export const productPageSchema = z.object({
  items: z.array(productSchema),
  nextCursor: z.string().nullable().describe('Pass as ?cursor= to get the next page; null on the last page'),
});
export type ProductPageDto = z.output<typeof productPageSchema>;

export const categoryListSchema = z.object({ items: z.array(categorySchema) });
export type CategoryListDto = z.output<typeof categoryListSchema>;
