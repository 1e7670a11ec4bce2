import { z } from 'zod';
import {
  catalogV1 as catalog,
  createProductBodySchema,
  listProductsQuerySchema,
  productIdSchema,
  updateProductBodySchema,
  type catalogV1,
} from '@storefront/contracts';
import { Authenticated, GrpcService, parseInput } from '@storefront/service-kit';
import { CreateProductHandler } from '../../application/commands/create-product/create-product.handler';
import { UpdateProductHandler } from '../../application/commands/update-product/update-product.handler';
import { GetProductHandler } from '../../application/queries/get-product/get-product.handler';
import { GetProductsByIdsHandler } from '../../application/queries/get-products-by-ids/get-products-by-ids.handler';
import { ListCategoriesHandler } from '../../application/queries/list-categories/list-categories.handler';
import { ListProductsHandler } from '../../application/queries/list-products/list-products.handler';
import { toProtoCategory, toProtoProduct } from './product.mapper';

/** proto3 has no "unset" for scalars: empty strings and zero mean "not given". */
function given<T>(value: T): T | undefined {
  return value === '' || value === 0 ? undefined : value;
}

const productIdsSchema = z.object({ ids: z.array(productIdSchema).max(100) });

/**
 * catalog.v1.CatalogService. Inputs go through the same schemas as the HTTP API, so both transports
 * accept and refuse exactly the same requests.
 */
@GrpcService()
@catalog.CatalogServiceControllerMethods()
export class CatalogGrpcController implements catalogV1.CatalogServiceController {
  constructor(
    private readonly listProductsHandler: ListProductsHandler,
    private readonly getProductHandler: GetProductHandler,
    private readonly getProductsByIdsHandler: GetProductsByIdsHandler,
    private readonly listCategoriesHandler: ListCategoriesHandler,
    private readonly createProductHandler: CreateProductHandler,
    private readonly updateProductHandler: UpdateProductHandler,
  ) {}

  async getProduct(request: catalogV1.GetProductRequest): Promise<catalogV1.GetProductResponse> {
    const id = parseInput(productIdSchema, request.id);
    return { product: toProtoProduct(await this.getProductHandler.execute(id)) };
  }

  async listProducts(request: catalogV1.ListProductsRequest): Promise<catalogV1.ListProductsResponse> {
    const query = parseInput(listProductsQuerySchema, {
      limit: given(request.limit)?.toString(),
      cursor: given(request.cursor),
      category: given(request.category),
      q: given(request.search),
      sort: given(request.sort),
    });
    const page = await this.listProductsHandler.execute({ ...query, search: query.q });
    return { products: page.items.map(toProtoProduct), nextCursor: page.nextCursor ?? '' };
  }

  async getProductsByIds(request: catalogV1.GetProductsByIdsRequest): Promise<catalogV1.GetProductsByIdsResponse> {
    const { ids } = parseInput(productIdsSchema, { ids: request.ids });
    const result = await this.getProductsByIdsHandler.execute(ids);
    return { products: result.products.map(toProtoProduct), missingIds: result.missingIds };
  }

  async listCategories(): Promise<catalogV1.ListCategoriesResponse> {
    return { categories: (await this.listCategoriesHandler.execute()).map(toProtoCategory) };
  }

  @Authenticated('admin')
  async createProduct(request: catalogV1.CreateProductRequest): Promise<catalogV1.CreateProductResponse> {
    const body = parseInput(createProductBodySchema, {
      sku: request.sku,
      name: request.name,
      description: request.description,
      category: request.category,
      price: request.price,
      imageUrl: given(request.imageUrl),
    });
    const product = await this.createProductHandler.execute({
      ...body,
      categorySlug: body.category,
      imageUrl: body.imageUrl ?? null,
    });
    return { product: toProtoProduct(product) };
  }

  @Authenticated('admin')
  async updateProduct(request: catalogV1.UpdateProductRequest): Promise<catalogV1.UpdateProductResponse> {
    const id = parseInput(productIdSchema, request.id);
    const { id: _id, imageUrl, ...fields } = request;
    // The loader fills unset message fields with null; only fields actually sent are changes.
    const changes = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== null));
    const body = parseInput(updateProductBodySchema, {
      ...changes,
      // An explicitly empty image URL clears it.
      ...(imageUrl === undefined ? {} : { imageUrl: imageUrl === '' ? null : imageUrl }),
    });
    const product = await this.updateProductHandler.execute({ ...body, id, categorySlug: body.category });
    return { product: toProtoProduct(product) };
  }
}
