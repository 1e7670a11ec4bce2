import type { CallOptions, Metadata } from '@grpc/grpc-js';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { ClientGrpc } from '@nestjs/microservices';
import type { Observable } from 'rxjs';
import { CATALOG_V1, type catalogV1 } from '@storefront/contracts';
import { callUnary, type GrpcClient } from '@storefront/service-kit';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { CATALOG_POLICY, type DownstreamPolicy } from '../resilience/downstream-policy';

export const CATALOG_GRPC = Symbol('CatalogGrpc');

const READ = { idempotent: true };
const WRITE = { idempotent: false };

/**
 * catalog.v1 over gRPC with a deadline on every attempt, errors mapped for the edge, and the
 * catalog's resilience policy (reads are retried, writes never).
 */
@Injectable()
export class CatalogClient implements OnModuleInit {
  private service!: GrpcClient<catalogV1.CatalogServiceClient>;

  constructor(
    @Inject(CATALOG_GRPC) private readonly grpc: ClientGrpc,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(CATALOG_POLICY) private readonly policy: DownstreamPolicy,
  ) {}

  onModuleInit(): void {
    this.service = this.grpc.getService<GrpcClient<catalogV1.CatalogServiceClient>>(CATALOG_V1.serviceName);
  }

  private call<T>(
    operation: string,
    requestId: string,
    invoke: (metadata: Metadata, options: CallOptions) => Observable<T>,
    { idempotent, authorization }: { idempotent: boolean; authorization?: string | undefined },
  ): Promise<T> {
    return this.policy.execute(
      () =>
        callUnary(invoke, {
          downstream: 'catalog',
          operation,
          timeoutMs: this.config.DOWNSTREAM_TIMEOUT_MS,
          requestId,
          metadata: { authorization },
        }),
      { idempotent },
    );
  }

  listProducts(request: catalogV1.ListProductsRequest, requestId: string): Promise<catalogV1.ListProductsResponse> {
    return this.call('ListProducts', requestId, (metadata, options) => this.service.listProducts(request, metadata, options), READ);
  }

  getProduct(id: string, requestId: string): Promise<catalogV1.GetProductResponse> {
    return this.call('GetProduct', requestId, (metadata, options) => this.service.getProduct({ id }, metadata, options), READ);
  }

  getProductsByIds(ids: readonly string[], requestId: string): Promise<catalogV1.GetProductsByIdsResponse> {
    const request = { ids: [...new Set(ids)] };
    return this.call('GetProductsByIds', requestId, (metadata, options) => this.service.getProductsByIds(request, metadata, options), READ);
  }

  listCategories(requestId: string): Promise<catalogV1.ListCategoriesResponse> {
    return this.call('ListCategories', requestId, (metadata, options) => this.service.listCategories({}, metadata, options), READ);
  }

  /** Writes carry the admin's token: the catalog checks the role again. */
  createProduct(
    request: catalogV1.CreateProductRequest,
    requestId: string,
    authorization: string | undefined,
  ): Promise<catalogV1.CreateProductResponse> {
    return this.call('CreateProduct', requestId, (metadata, options) => this.service.createProduct(request, metadata, options), {
      ...WRITE,
      authorization,
    });
  }

  updateProduct(
    request: catalogV1.UpdateProductRequest,
    requestId: string,
    authorization: string | undefined,
  ): Promise<catalogV1.UpdateProductResponse> {
    return this.call('UpdateProduct', requestId, (metadata, options) => this.service.updateProduct(request, metadata, options), {
      ...WRITE,
      authorization,
    });
  }
}
