import { Body, Controller, Get, HttpCode, HttpStatus, Param, Patch, Post, Query, Req, Res, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  createProductBodySchema,
  listProductsQuerySchema,
  productIdSchema,
  productPageSchema,
  productSchema,
  updateProductBodySchema,
  type CreateProductBody,
  type ListProductsQuery,
  type ProductDto,
  type ProductPageDto,
  type UpdateProductBody,
} from '@storefront/contracts';
import { Authenticated, sendRepresentation, serveFromMemory } from '@storefront/service-kit';
import { ApiProblemResponses } from '../docs/api-problem-responses';
import { CatalogClient } from './catalog.client';
import { PRODUCT_CACHE_CONTROL, ProductReadView } from './product-read-view';
import { toProductDto } from './product.mapper';

@ApiTags('catalog')
@Controller('api/products')
export class ProductsHttpController implements OnModuleInit {
  constructor(
    private readonly catalog: CatalogClient,
    private readonly products: ProductReadView,
    private readonly adapter: HttpAdapterHost,
  ) {}

  /** A product page the read view holds is answered before this controller runs (no gRPC call, no Nest pipeline). */
  onModuleInit(): void {
    serveFromMemory(
      this.adapter.httpAdapter.getInstance(),
      '/api/products/:id',
      (request) => this.products.cached((request.params as { id: string }).id),
      PRODUCT_CACHE_CONTROL,
    );
  }

  @Get()
  @ApiOperation({ summary: 'List products, filtered, searched, sorted and paginated by cursor' })
  @ApiOkResponse({ standardSchema: productPageSchema })
  @ApiProblemResponses(400, 429, 503, 504)
  async list(
    @Query({ schema: listProductsQuerySchema }) query: ListProductsQuery,
    @Req() request: FastifyRequest,
  ): Promise<ProductPageDto> {
    const page = await this.catalog.listProducts(
      {
        limit: query.limit ?? 0,
        cursor: query.cursor ?? '',
        category: query.category ?? '',
        search: query.q ?? '',
        sort: query.sort ?? '',
      },
      request.id,
    );
    return { items: page.products.map(toProductDto), nextCursor: page.nextCursor || null };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one product' })
  @ApiOkResponse({ standardSchema: productSchema })
  @ApiProblemResponses(400, 404, 429, 503, 504)
  async get(
    @Param('id', { schema: productIdSchema }) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // A page the read view holds never gets here (onModuleInit); this is the miss, answered with the same bytes and headers.
    const page = await this.products.read(id, async () => (await this.catalog.getProduct(id, request.id)).product);
    if (!page) throw new Error('catalog answered without a product');
    await sendRepresentation(request, reply, page, PRODUCT_CACHE_CONTROL);
  }

  @Post()
  @Authenticated('admin')
  @ApiBearerAuth()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Create a product (admin)' })
  @ApiCreatedResponse({ standardSchema: productSchema })
  @ApiProblemResponses(400, 401, 403, 409, 429, 503, 504)
  async create(@Body({ schema: createProductBodySchema }) body: CreateProductBody, @Req() request: FastifyRequest): Promise<ProductDto> {
    const created = await this.catalog.createProduct({ ...body, imageUrl: body.imageUrl ?? '' }, request.id, request.headers.authorization);
    return toProductDto(created.product);
  }

  @Patch(':id')
  @Authenticated('admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change some fields of a product (admin)' })
  @ApiOkResponse({ standardSchema: productSchema })
  @ApiProblemResponses(400, 401, 403, 404, 429, 503, 504)
  async update(
    @Param('id', { schema: productIdSchema }) id: string,
    @Body({ schema: updateProductBodySchema }) body: UpdateProductBody,
    @Req() request: FastifyRequest,
  ): Promise<ProductDto> {
    // In catalog.v1 an empty image_url clears the image.
    const imageUrl = body.imageUrl === undefined ? undefined : (body.imageUrl ?? '');
    const updated = await this.catalog.updateProduct({ ...body, id, imageUrl }, request.id, request.headers.authorization);
    this.products.invalidateProduct(id);
    return toProductDto(updated.product);
  }
}
