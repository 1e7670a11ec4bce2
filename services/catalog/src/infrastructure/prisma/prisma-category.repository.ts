import { Injectable } from '@nestjs/common';
import type { Category } from '../../domain/category.entity';
import type { CategoryRepository } from '../../domain/product.repository';
import { PrismaService } from './prisma.service';
import { toCategory } from './product.mapper';

@Injectable()
export class PrismaCategoryRepository implements CategoryRepository {
  constructor(private readonly prisma: PrismaService) {}

  async findBySlug(slug: string): Promise<Category | null> {
    const row = await this.prisma.category.findUnique({ where: { slug } });
    return row && toCategory(row);
  }

  async list(): Promise<Category[]> {
    const rows = await this.prisma.category.findMany({ orderBy: { name: 'asc' } });
    return rows.map(toCategory);
  }
}
