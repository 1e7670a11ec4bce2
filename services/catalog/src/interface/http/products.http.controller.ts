import { Body, Controller, Get, HttpCode, HttpStatus, Param, Patch, Post, Query, Req, Res, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
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
import { Authenticated, sendRepresentation, serveFromMemory } from '@storefront/service-kit';
import { CreateProductHandler } from '../../application/commands/create-product/create-product.handler';
import { UpdateProductHandler } from '../../application/commands/update-product/update-product.handler';
import { GetProductHandler } from '../../application/queries/get-product/get-product.handler';
import { ListProductsHandler } from '../../application/queries/list-products/list-products.handler';
import { ProductViews } from '../../application/queries/product-view';
import { productPageOf, toProductDto } from './product.mapper';

/** Any cache may keep a product page, revalidating it (ETag → 304) before every use. */
const PRODUCT_CACHE_CONTROL = 'public, no-cache';

@Controller('products')
export class ProductsHttpController implements OnModuleInit {
  constructor(
    private readonly listProducts: ListProductsHandler,
    private readonly getProduct: GetProductHandler,
    private readonly createProduct: CreateProductHandler,
    private readonly updateProduct: UpdateProductHandler,
    private readonly views: ProductViews,
    private readonly adapter: HttpAdapterHost,
  ) {}

  /** A product page kept in memory is answered before this controller runs (no query, no Nest pipeline). */
  onModuleInit(): void {
    serveFromMemory(
      this.adapter.httpAdapter.getInstance(),
      '/products/:id',
      (request) => {
        const view = this.views.cached((request.params as { id: string }).id);
        return view && productPageOf(view);
      },
      PRODUCT_CACHE_CONTROL,
    );
  }

  @Get()
  async list(@Query({ schema: listProductsQuerySchema }) query: ListProductsQuery): Promise<ProductPageDto> {
    const page = await this.listProducts.execute({ ...query, search: query.q });
    return { items: page.items.map(toProductDto), nextCursor: page.nextCursor };
  }

  @Get(':id')
  async get(
    @Param('id', { schema: productIdSchema }) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await sendRepresentation(request, reply, productPageOf(await this.getProduct.execute(id)), PRODUCT_CACHE_CONTROL);
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
