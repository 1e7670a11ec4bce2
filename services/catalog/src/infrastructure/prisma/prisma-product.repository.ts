import { Injectable } from '@nestjs/common';
import { Outbox } from '@storefront/messaging';
import { SkuAlreadyExistsError } from '../../domain/catalog.errors';
import type { Product } from '../../domain/product.aggregate';
import type { ProductListCriteria, ProductRepository } from '../../domain/product.repository';
import { toIntegrationEvent } from '../messaging/catalog-events.mapper';
import { Prisma } from './generated/client';
import { PrismaService } from './prisma.service';
import { toProduct } from './product.mapper';

const COLUMN = { name: 'name', price: 'priceMinor', createdAt: 'createdAt' } as const;

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

@Injectable()
export class PrismaProductRepository implements ProductRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: Outbox,
  ) {}

  async findById(id: string): Promise<Product | null> {
    const row = await this.prisma.product.findUnique({ where: { id }, include: { category: true } });
    return row && toProduct(row);
  }

  async list(criteria: ProductListCriteria): Promise<Product[]> {
    const column = COLUMN[criteria.sortField];
    const direction = criteria.descending ? 'desc' : 'asc';
    const beyond = criteria.descending ? 'lt' : 'gt';
    const filters: Prisma.ProductWhereInput[] = [];
    if (criteria.categorySlug) filters.push({ category: { slug: criteria.categorySlug } });
    if (criteria.nameContains) filters.push({ name: { contains: criteria.nameContains, mode: 'insensitive' } });
    if (criteria.after) {
      // Keyset pagination: rows strictly after (value, id) in the sort order, stable under inserts.
      const value = criteria.sortField === 'createdAt' ? new Date(criteria.after.value) : criteria.after.value;
      filters.push({
        OR: [{ [column]: { [beyond]: value } }, { [column]: value, id: { [beyond]: criteria.after.id } }],
      });
    }
    const rows = await this.prisma.product.findMany({
      where: { AND: filters },
      orderBy: [{ [column]: direction }, { id: direction }],
      take: criteria.limit,
      include: { category: true },
    });
    return rows.map(toProduct);
  }

  async insert(product: Product): Promise<void> {
    const state = product.snapshot;
    try {
      // The product and the events announcing it commit together, or not at all.
      await this.prisma.$transaction(async (tx) => {
        await tx.product.create({
          data: {
            id: state.id,
            sku: state.sku,
            name: state.name,
            description: state.description,
            categoryId: state.category.id,
            priceMinor: state.price.amountMinor,
            currency: state.price.currency,
            imageUrl: state.imageUrl,
            createdAt: state.createdAt,
            updatedAt: state.updatedAt,
          },
        });
        await this.outbox.add(tx, ...product.pullEvents().map(toIntegrationEvent));
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new SkuAlreadyExistsError(state.sku);
      throw error;
    }
  }

  async update(product: Product): Promise<void> {
    const state = product.snapshot;
    await this.prisma.$transaction(async (tx) => {
      await tx.product.update({
        where: { id: state.id },
        data: {
          name: state.name,
          description: state.description,
          categoryId: state.category.id,
          priceMinor: state.price.amountMinor,
          currency: state.price.currency,
          imageUrl: state.imageUrl,
          updatedAt: state.updatedAt,
        },
      });
      await this.outbox.add(tx, ...product.pullEvents().map(toIntegrationEvent));
    });
  }
}
