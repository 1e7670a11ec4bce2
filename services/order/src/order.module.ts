import { Module, type DynamicModule } from '@nestjs/common';
import { CATALOG_V1 } from '@storefront/contracts';
import { MessagingModule } from '@storefront/messaging';
import { SqlDatabase } from '@storefront/persistence';
import { grpcClientModule, ServiceKitModule } from '@storefront/service-kit';
import { CancelOrderHandler } from './application/commands/cancel-order/cancel-order.handler';
import { PlaceOrderHandler } from './application/commands/place-order/place-order.handler';
import { ORDER_STATUS_CHANGES } from './application/order-status-changes.port';
import { ORDER_HISTORY_READER } from './application/ports/order-history.port';
import { PRODUCT_PRICING } from './application/ports/product-pricing.port';
import { GetOrderTimelineHandler } from './application/queries/get-order-timeline/get-order-timeline.handler';
import { GetOrderHandler } from './application/queries/get-order/get-order.handler';
import { ListOrdersHandler } from './application/queries/list-orders/list-orders.handler';
import { OrderSagaHandler } from './application/saga/order-saga.handler';
import { STEP_TIMEOUTS } from './application/step-timeouts';
import { ORDER_CONFIG, type OrderConfig } from './config';
import type { StepTimeouts } from './domain/order.aggregate';
import { ORDER_REPOSITORY } from './domain/order.repository';
import { CATALOG_GRPC, CatalogPricingClient } from './infrastructure/catalog/catalog-pricing.client';
import { PgOrderStatusListener } from './infrastructure/prisma/order-status.listener';
import { PrismaOrderRepository } from './infrastructure/prisma/prisma-order.repository';
import { prismaModule } from './infrastructure/prisma/prisma.service';
import { PrismaOrderHistoryReader } from './infrastructure/projections/order-history.reader';
import { OrdersHttpController } from './interface/http/orders.http.controller';
import { OrderHistoryConsumer } from './interface/messaging/order-history.consumer';
import { SagaRepliesConsumer } from './interface/messaging/saga-replies.consumer';
import { SagaTimeoutScheduler } from './interface/schedule/saga-timeout.scheduler';

@Module({})
export class OrderModule {
  static register(config: OrderConfig): DynamicModule {
    const timeouts: StepTimeouts = {
      stockReservationMs: config.STOCK_RESERVATION_TIMEOUT_MS,
      paymentMs: config.PAYMENT_TIMEOUT_MS,
      captureMs: config.CAPTURE_TIMEOUT_MS,
    };
    return {
      module: OrderModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'order', config }),
        prismaModule(config),
        MessagingModule.fromConfig(config, { service: 'order', transactionalClient: SqlDatabase }),
        grpcClientModule(CATALOG_GRPC, CATALOG_V1, config.CATALOG_GRPC_URL),
      ],
      controllers: [OrdersHttpController],
      providers: [
        { provide: ORDER_CONFIG, useValue: config },
        { provide: STEP_TIMEOUTS, useValue: timeouts },
        { provide: ORDER_REPOSITORY, useClass: PrismaOrderRepository },
        { provide: PRODUCT_PRICING, useClass: CatalogPricingClient },
        { provide: ORDER_STATUS_CHANGES, useClass: PgOrderStatusListener },
        PlaceOrderHandler,
        GetOrderHandler,
        CancelOrderHandler,
        OrderSagaHandler,
        SagaRepliesConsumer,
        SagaTimeoutScheduler,
        OrderHistoryConsumer,
        { provide: ORDER_HISTORY_READER, useClass: PrismaOrderHistoryReader },
        ListOrdersHandler,
        GetOrderTimelineHandler,
      ],
    };
  }
}
