import { Injectable } from '@nestjs/common';
import type { ProductViewReader } from '../../application/queries/product-view';
import type { Product } from '../../domain/product.aggregate';
import type { Category as CategoryRow, Product as ProductRow } from './generated/client';
import { PrismaService } from './prisma.service';
import { toProduct } from './product.mapper';

interface ViewRow extends ProductRow {
  category_slug: CategoryRow['slug'];
  category_name: CategoryRow['name'];
  category_description: CategoryRow['description'];
  category_created_at: CategoryRow['createdAt'];
  available: number | null;
  version: bigint | null;
}

/**
 * The product page's one query: typed raw SQL, as Prisma's `include` runs a query per relation and
 * the availability row is not a relation of the product (it is keyed by SKU).
 */
@Injectable()
export class PrismaProductViewReader implements ProductViewReader {
  constructor(private readonly prisma: PrismaService) {}

  async byId(id: string): Promise<{ product: Product; available: number | undefined; version: number } | null> {
    const rows = await this.prisma.$queryRaw<ViewRow[]>`
      SELECT p."id", p."sku", p."name", p."description", p."category_id" AS "categoryId", p."price_minor" AS "priceMinor",
             p."currency", p."image_url" AS "imageUrl", p."created_at" AS "createdAt", p."updated_at" AS "updatedAt",
             c."slug" AS "category_slug", c."name" AS "category_name", c."description" AS "category_description",
             c."created_at" AS "category_created_at", a."available", a."version"
      FROM "products" p
      JOIN "categories" c ON c."id" = p."category_id"
      LEFT JOIN "product_availability" a ON a."sku" = p."sku"
      WHERE p."id" = ${id}::uuid`;
    const row = rows[0];
    if (!row) return null;
    const product = toProduct({
      ...row,
      category: {
        id: row.categoryId,
        slug: row.category_slug,
        name: row.category_name,
        description: row.category_description,
        createdAt: row.category_created_at,
      },
    });
    return { product, available: row.available ?? undefined, version: Number(row.version ?? 0) };
  }
}
