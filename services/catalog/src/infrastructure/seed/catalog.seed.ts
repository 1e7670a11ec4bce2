import { ProductCreatedV1 } from '@storefront/contracts';
import { createEvent, Outbox } from '@storefront/messaging';
import type { PrismaClient } from '../prisma/generated/client';
import { SEED_CATEGORIES, SEED_CURRENCY, SEED_PRODUCTS } from './catalog.seed-data';

/**
 * Inserts the demo categories and products that are missing, and announces each new product with
 * catalog.product-created.v1 through the outbox, as the admin API would (inventory creates its
 * stock rows from these events). Existing rows are left alone, so running it again is safe.
 */
export async function seedCatalog(prisma: PrismaClient): Promise<{ categories: number; products: number }> {
  const outbox = new Outbox();
  return prisma.$transaction(async (tx) => {
    const categories = await tx.category.createMany({ data: SEED_CATEGORIES, skipDuplicates: true });
    const categoryRows = await tx.category.findMany();
    const categoryBySlug = new Map(categoryRows.map((row) => [row.slug, row]));
    const created = await tx.product.createManyAndReturn({
      skipDuplicates: true,
      data: SEED_PRODUCTS.map((product) => {
        const category = categoryBySlug.get(product.category);
        if (!category) throw new Error(`Seed product ${product.sku} names unknown category ${product.category}`);
        return {
          sku: product.sku,
          name: product.name,
          description: product.description,
          categoryId: category.id,
          priceMinor: product.priceMinor,
          currency: SEED_CURRENCY,
          imageUrl: `https://picsum.photos/seed/${product.sku.toLowerCase()}/640/480`,
        };
      }),
    });
    const events = created.map((row) => {
      const category = categoryRows.find((candidate) => candidate.id === row.categoryId);
      return createEvent(ProductCreatedV1, {
        source: 'catalog',
        aggregateId: row.id,
        occurredAt: row.createdAt,
        payload: {
          productId: row.id,
          sku: row.sku,
          name: row.name,
          description: row.description,
          category: { slug: category?.slug ?? '', name: category?.name ?? '' },
          price: { amountMinor: row.priceMinor, currency: row.currency },
          imageUrl: row.imageUrl,
        },
      });
    });
    await outbox.add(tx, ...events);
    return { categories: categories.count, products: created.length };
  });
}
