import type { PrismaClient } from '../prisma/generated/client';
import { SEED_CATEGORIES, SEED_CURRENCY, SEED_PRODUCTS } from './catalog.seed-data';

/**
 * Inserts the demo categories and products that are missing. Existing rows are left alone, so
 * running it again is safe and never undoes an admin's change.
 */
export async function seedCatalog(prisma: PrismaClient): Promise<{ categories: number; products: number }> {
  const categories = await prisma.category.createMany({ data: SEED_CATEGORIES, skipDuplicates: true });
  const categoryIds = new Map(
    (await prisma.category.findMany({ select: { id: true, slug: true } })).map((row) => [row.slug, row.id]),
  );
  const products = await prisma.product.createMany({
    skipDuplicates: true,
    data: SEED_PRODUCTS.map((product) => {
      const categoryId = categoryIds.get(product.category);
      if (!categoryId) throw new Error(`Seed product ${product.sku} names unknown category ${product.category}`);
      return {
        sku: product.sku,
        name: product.name,
        description: product.description,
        categoryId,
        priceMinor: product.priceMinor,
        currency: SEED_CURRENCY,
        imageUrl: `https://picsum.photos/seed/${product.sku.toLowerCase()}/640/480`,
      };
    }),
  });
  return { categories: categories.count, products: products.count };
}
