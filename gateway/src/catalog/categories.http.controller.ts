import { Controller, Get, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { categoryListSchema, type CategoryListDto } from '@storefront/contracts';
import { ApiProblemResponses } from '../docs/api-problem-responses';
import { CatalogClient } from './catalog.client';
import { toCategoryDto } from './product.mapper';

@ApiTags('catalog')
@Controller('api/categories')
export class CategoriesHttpController {
  constructor(private readonly catalog: CatalogClient) {}

  @Get()
  @ApiOperation({ summary: 'List product categories' })
  @ApiOkResponse({ standardSchema: categoryListSchema })
  @ApiProblemResponses(503, 504)
  async list(@Req() request: FastifyRequest): Promise<CategoryListDto> {
    const { categories } = await this.catalog.listCategories(request.id);
    return { items: categories.map(toCategoryDto) };
  }
}
