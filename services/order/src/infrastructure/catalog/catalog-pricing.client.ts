import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { ClientGrpc } from '@nestjs/microservices';
import { CATALOG_V1, type catalogV1 } from '@storefront/contracts';
import { callUnary, requestContext, type GrpcClient } from '@storefront/service-kit';
import type { ProductPrice, ProductPricing } from '../../application/ports/product-pricing.port';
import { ORDER_CONFIG, type OrderConfig } from '../../config';

export const CATALOG_GRPC = Symbol('CatalogGrpc');

/** Prices orders through catalog.v1 GetProductsByIds: one call per order, with a deadline. */
@Injectable()
export class CatalogPricingClient implements ProductPricing, OnModuleInit {
  private catalog!: GrpcClient<catalogV1.CatalogServiceClient>;

  constructor(
    @Inject(CATALOG_GRPC) private readonly grpc: ClientGrpc,
    @Inject(ORDER_CONFIG) private readonly config: OrderConfig,
  ) {}

  onModuleInit(): void {
    this.catalog = this.grpc.getService<GrpcClient<catalogV1.CatalogServiceClient>>(CATALOG_V1.serviceName);
  }

  async price(productIds: readonly string[]): Promise<{ prices: ProductPrice[]; missing: string[] }> {
    const response = await callUnary((metadata, options) => this.catalog.getProductsByIds({ ids: [...productIds] }, metadata, options), {
      downstream: 'catalog',
      operation: 'GetProductsByIds',
      timeoutMs: this.config.CATALOG_TIMEOUT_MS,
      requestId: requestContext.current()?.requestId,
    });
    return {
      prices: response.products.map((product) => ({
        productId: product.id,
        sku: product.sku,
        name: product.name,
        unitPriceMinor: product.price?.amountMinor ?? 0,
        currency: product.price?.currency ?? '',
      })),
      missing: response.missingIds,
    };
  }
}
