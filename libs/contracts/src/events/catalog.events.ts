import { z } from 'zod';
import { defineEvent } from './event-definition';
import type { StreamDefinition } from './streams';

/** The stream of the catalog domain; every event below is stored in it. */
export const CATALOG_STREAM: StreamDefinition = {
  name: 'CATALOG',
  domain: 'catalog',
  description: 'Product and category changes',
};

const productSnapshot = z.object({
  productId: z.uuid(),
  sku: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.object({ slug: z.string(), name: z.string() }),
  price: z.object({ amountMinor: z.number().int().nonnegative(), currency: z.string().length(3) }),
  imageUrl: z.string().nullable(),
});

export const ProductCreatedV1 = defineEvent({
  stream: CATALOG_STREAM,
  subject: 'catalog.product-created.v1',
  producer: 'catalog',
  description: 'A product was added to the catalog. Carries the whole product.',
  payload: productSnapshot,
});

export const ProductUpdatedV1 = defineEvent({
  stream: CATALOG_STREAM,
  subject: 'catalog.product-updated.v1',
  producer: 'catalog',
  description: 'A product changed. Carries the whole product as it is now and the names of the changed fields.',
  payload: productSnapshot.extend({
    changedFields: z.array(z.enum(['name', 'description', 'category', 'price', 'imageUrl'])).min(1),
  }),
});
