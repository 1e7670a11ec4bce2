import { Inject, Injectable } from '@nestjs/common';
import type { Category } from '../../../domain/category.entity';
import { CATEGORY_REPOSITORY, type CategoryRepository } from '../../../domain/product.repository';

@Injectable()
export class ListCategoriesHandler {
  constructor(@Inject(CATEGORY_REPOSITORY) private readonly categories: CategoryRepository) {}

  execute(): Promise<Category[]> {
    return this.categories.list();
  }
}
