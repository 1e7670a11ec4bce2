import { type DynamicModule, Module } from '@nestjs/common';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { CATALOG_V1, GRPC_CHANNEL_OPTIONS, GRPC_LOADER_OPTIONS } from '@storefront/contracts';
import { ServiceKitModule } from '@storefront/service-kit';
import { AdminHttpController } from './admin/admin.http.controller';
import { CATALOG_GRPC, CatalogClient } from './catalog/catalog.client';
import { CategoriesHttpController } from './catalog/categories.http.controller';
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
        ClientsModule.register([
          {
            name: CATALOG_GRPC,
            transport: Transport.GRPC,
            options: {
              package: CATALOG_V1.package,
              protoPath: CATALOG_V1.protoPath,
              url: config.CATALOG_GRPC_URL,
              loader: GRPC_LOADER_OPTIONS,
              channelOptions: GRPC_CHANNEL_OPTIONS,
            },
          },
        ]),
      ],
      controllers: [ProductsHttpController, CategoriesHttpController, OrdersHttpController, AdminHttpController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        ...DOWNSTREAM_PROVIDERS,
        CatalogClient,
        OrderingReadiness,
        OrderDetailsComposer,
      ],
    };
  }
}
