import { Injectable } from '@nestjs/common';
import { SqlDatabase } from '@storefront/persistence';
import type { FoundView, ProductViewReader } from '../../application/queries/product-view';
import type { Category as CategoryRow, Product as ProductRow } from './generated/client';
import { toProduct } from './product.mapper';

interface ViewRow extends ProductRow {
  category_slug: CategoryRow['slug'];
  category_name: CategoryRow['name'];
  category_description: CategoryRow['description'];
  category_created_at: CategoryRow['createdAt'];
  available: number | null;
  /** A bigint column: pg gives it as a string. */
  version: string | null;
}

/**
 * The product page's one query, and the same for the products of an order being priced: typed raw
 * SQL, as Prisma's `include` runs a query per relation and the availability row is not a relation
 * of the product (it is keyed by SKU); on SqlDatabase, a prepared statement without Prisma's
 * pipeline (docs/bench.md item 39).
 */
@Injectable()
export class PrismaProductViewReader implements ProductViewReader {
  constructor(private readonly sql: SqlDatabase) {}

  async byId(id: string): Promise<FoundView | null> {
    const [found] = await this.byIds([id]);
    return found ?? null;
  }

  async byIds(ids: readonly string[]): Promise<FoundView[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql.$queryRawUnsafe<ViewRow[]>(
      `
      SELECT p."id", p."sku", p."name", p."description", p."category_id" AS "categoryId", p."price_minor" AS "priceMinor",
             p."currency", p."image_url" AS "imageUrl", p."created_at" AS "createdAt", p."updated_at" AS "updatedAt",
             c."slug" AS "category_slug", c."name" AS "category_name", c."description" AS "category_description",
             c."created_at" AS "category_created_at", a."available", a."version"
      FROM "products" p
      JOIN "categories" c ON c."id" = p."category_id"
      LEFT JOIN "product_availability" a ON a."sku" = p."sku"
      WHERE p."id" = ANY($1::uuid[])`,
      [...ids],
    );
    return rows.map((row) => ({
      product: toProduct({
        ...row,
        category: {
          id: row.categoryId,
          slug: row.category_slug,
          name: row.category_name,
          description: row.category_description,
          createdAt: row.category_created_at,
        },
      }),
      available: row.available ?? undefined,
      version: Number(row.version ?? 0),
    }));
  }
}
