import { Body, Controller, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import {
  createProductBodySchema,
  listProductsQuerySchema,
  productIdSchema,
  updateProductBodySchema,
  type CreateProductBody,
  type ListProductsQuery,
  type ProductDto,
  type ProductPageDto,
  type UpdateProductBody,
} from '@storefront/contracts';
import { Authenticated } from '@storefront/service-kit';
import { CreateProductHandler } from '../../application/commands/create-product/create-product.handler';
import { UpdateProductHandler } from '../../application/commands/update-product/update-product.handler';
import { GetProductHandler } from '../../application/queries/get-product/get-product.handler';
import { ListProductsHandler } from '../../application/queries/list-products/list-products.handler';
import { toProductDto } from './product.mapper';

@Controller('products')
export class ProductsHttpController {
  constructor(
    private readonly listProducts: ListProductsHandler,
    private readonly getProduct: GetProductHandler,
    private readonly createProduct: CreateProductHandler,
    private readonly updateProduct: UpdateProductHandler,
  ) {}

  @Get()
  async list(@Query({ schema: listProductsQuerySchema }) query: ListProductsQuery): Promise<ProductPageDto> {
    const page = await this.listProducts.execute({ ...query, search: query.q });
    return { items: page.items.map(toProductDto), nextCursor: page.nextCursor };
  }

  @Get(':id')
  async get(@Param('id', { schema: productIdSchema }) id: string): Promise<ProductDto> {
    return toProductDto(await this.getProduct.execute(id));
  }

  @Post()
  @Authenticated('admin')
  @HttpCode(HttpStatus.CREATED)
  async create(@Body({ schema: createProductBodySchema }) body: CreateProductBody): Promise<ProductDto> {
    const product = await this.createProduct.execute({
      ...body,
      categorySlug: body.category,
      imageUrl: body.imageUrl ?? null,
    });
    return toProductDto(product);
  }

  @Patch(':id')
  @Authenticated('admin')
  async update(
    @Param('id', { schema: productIdSchema }) id: string,
    @Body({ schema: updateProductBodySchema }) body: UpdateProductBody,
  ): Promise<ProductDto> {
    const product = await this.updateProduct.execute({ ...body, id, categorySlug: body.category });
    return toProductDto(product);
  }
}
