import { Module, type DynamicModule } from '@nestjs/common';
import { CATALOG_V1 } from '@storefront/contracts';
import { EventWatchModule } from '@storefront/messaging';
import { grpcClientModule, ServiceKitModule } from '@storefront/service-kit';
import { AdminHttpController } from './admin/admin.http.controller';
import { CATALOG_GRPC, CatalogClient } from './catalog/catalog.client';
import { CategoriesHttpController } from './catalog/categories.http.controller';
import { ProductReadView } from './catalog/product-read-view';
import { ProductsHttpController } from './catalog/products.http.controller';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { DOWNSTREAM_PROVIDERS } from './downstream/downstreams';
import { OrderDetailsComposer } from './orders/order-details.composer';
import { OrderingReadiness } from './orders/ordering-readiness';
import { OrdersHttpController } from './orders/orders.http.controller';

@Module({})
export class GatewayModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'gateway', config }),
        grpcClientModule(CATALOG_GRPC, CATALOG_V1, config.CATALOG_GRPC_URL),
        EventWatchModule.fromConfig(config, 'gateway'),
      ],
      controllers: [ProductsHttpController, CategoriesHttpController, OrdersHttpController, AdminHttpController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        ...DOWNSTREAM_PROVIDERS,
        CatalogClient,
        ProductReadView,
        OrderingReadiness,
        OrderDetailsComposer,
      ],
    };
  }
}
