import { Controller, Get } from '@nestjs/common';
import type { CategoryListDto } from '@storefront/contracts';
import { ListCategoriesHandler } from '../../application/queries/list-categories/list-categories.handler';
import { toCategoryDto } from './product.mapper';

@Controller('categories')
export class CategoriesHttpController {
  constructor(private readonly listCategories: ListCategoriesHandler) {}

  @Get()
  async list(): Promise<CategoryListDto> {
    return { items: (await this.listCategories.execute()).map(toCategoryDto) };
  }
}
