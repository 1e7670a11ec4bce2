import { Module, type DynamicModule } from '@nestjs/common';
import { EventWatchModule, MessagingModule } from '@storefront/messaging';
import { SqlDatabase } from '@storefront/persistence';
import { ServiceKitModule } from '@storefront/service-kit';
import { CreateProductHandler } from './application/commands/create-product/create-product.handler';
import { UpdateProductHandler } from './application/commands/update-product/update-product.handler';
import { AVAILABILITY_READER } from './application/ports/availability.port';
import { GetProductHandler } from './application/queries/get-product/get-product.handler';
import { GetProductsByIdsHandler } from './application/queries/get-products-by-ids/get-products-by-ids.handler';
import { ListCategoriesHandler } from './application/queries/list-categories/list-categories.handler';
import { ListProductsHandler } from './application/queries/list-products/list-products.handler';
import { PRODUCT_VIEW_READER, ProductViews } from './application/queries/product-view';
import { CATALOG_CONFIG, type CatalogConfig } from './config';
import { CATEGORY_REPOSITORY, PRODUCT_REPOSITORY } from './domain/product.repository';
import { PrismaCategoryRepository } from './infrastructure/prisma/prisma-category.repository';
import { PrismaProductViewReader } from './infrastructure/prisma/prisma-product-view.reader';
import { PrismaProductRepository } from './infrastructure/prisma/prisma-product.repository';
import { prismaModule } from './infrastructure/prisma/prisma.service';
import { AvailabilityProjection } from './infrastructure/projections/availability.projection';
import { PrismaAvailabilityReader } from './infrastructure/projections/availability.reader';
import { CatalogGrpcController } from './interface/grpc/catalog.grpc.controller';
import { CategoriesHttpController } from './interface/http/categories.http.controller';
import { ProductsHttpController } from './interface/http/products.http.controller';
import { InventoryStockConsumer } from './interface/messaging/inventory-stock.consumer';
import { ProductViewConsumer } from './interface/messaging/product-view.consumer';

@Module({})
export class CatalogModule {
  static register(config: CatalogConfig): DynamicModule {
    return {
      module: CatalogModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'catalog', config }),
        prismaModule(config),
        MessagingModule.fromConfig(config, { service: 'catalog', transactionalClient: SqlDatabase }),
        EventWatchModule.fromConfig(config, 'catalog'),
      ],
      controllers: [ProductsHttpController, CategoriesHttpController, CatalogGrpcController],
      providers: [
        { provide: CATALOG_CONFIG, useValue: config },
        { provide: PRODUCT_REPOSITORY, useClass: PrismaProductRepository },
        { provide: CATEGORY_REPOSITORY, useClass: PrismaCategoryRepository },
        { provide: AVAILABILITY_READER, useClass: PrismaAvailabilityReader },
        ProductViews,
        { provide: PRODUCT_VIEW_READER, useClass: PrismaProductViewReader },
        ListProductsHandler,
        GetProductHandler,
        GetProductsByIdsHandler,
        ListCategoriesHandler,
        CreateProductHandler,
        UpdateProductHandler,
        AvailabilityProjection,
        InventoryStockConsumer,
        ProductViewConsumer,
      ],
    };
  }
}
