import { Module, type DynamicModule } from '@nestjs/common';
import { UNIT_OF_WORK } from '@storefront/ddd';
import { MessagingModule } from '@storefront/messaging';
import { SqlDatabase } from '@storefront/persistence';
import { ServiceKitModule } from '@storefront/service-kit';
import { CommitReservationHandler } from './application/commands/commit-reservation/commit-reservation.handler';
import { CreateStockHandler } from './application/commands/create-stock/create-stock.handler';
import { ExpireReservationsHandler } from './application/commands/expire-reservations/expire-reservations.handler';
import { ReleaseReservationHandler } from './application/commands/release-reservation/release-reservation.handler';
import { ReserveStockHandler } from './application/commands/reserve-stock/reserve-stock.handler';
import { RestockHandler } from './application/commands/restock/restock.handler';
import { GetStockLevelsHandler } from './application/queries/get-stock-levels/get-stock-levels.handler';
import { GetStockHandler } from './application/queries/get-stock/get-stock.handler';
import { INVENTORY_CONFIG, type InventoryConfig } from './config';
import { INVENTORY_EVENT_REPOSITORY, RESERVATION_REPOSITORY, STOCK_REPOSITORY } from './domain/inventory.repository';
import { OutboxInventoryEventRepository } from './infrastructure/messaging/outbox-inventory-event.repository';
import { PrismaReservationRepository } from './infrastructure/prisma/prisma-reservation.repository';
import { PrismaStockRepository } from './infrastructure/prisma/prisma-stock.repository';
import { PrismaUnitOfWork } from './infrastructure/prisma/prisma-unit-of-work';
import { prismaModule } from './infrastructure/prisma/prisma.service';
import { InventoryGrpcController } from './interface/grpc/inventory.grpc.controller';
import { StockHttpController } from './interface/http/stock.http.controller';
import { CatalogProductsConsumer } from './interface/messaging/catalog-products.consumer';
import { InventoryCommandsConsumer } from './interface/messaging/inventory-commands.consumer';
import { ReservationExpiryScheduler } from './interface/schedule/reservation-expiry.scheduler';

@Module({})
export class InventoryModule {
  static register(config: InventoryConfig): DynamicModule {
    return {
      module: InventoryModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'inventory', config }),
        prismaModule(config),
        MessagingModule.fromConfig(config, { service: 'inventory', transactionalClient: SqlDatabase }),
      ],
      controllers: [StockHttpController, InventoryGrpcController],
      providers: [
        { provide: INVENTORY_CONFIG, useValue: config },
        { provide: UNIT_OF_WORK, useClass: PrismaUnitOfWork },
        { provide: STOCK_REPOSITORY, useClass: PrismaStockRepository },
        { provide: RESERVATION_REPOSITORY, useClass: PrismaReservationRepository },
        { provide: INVENTORY_EVENT_REPOSITORY, useClass: OutboxInventoryEventRepository },
        CreateStockHandler,
        ReserveStockHandler,
        CommitReservationHandler,
        ReleaseReservationHandler,
        ExpireReservationsHandler,
        RestockHandler,
        GetStockHandler,
        GetStockLevelsHandler,
        CatalogProductsConsumer,
        InventoryCommandsConsumer,
        ReservationExpiryScheduler,
      ],
    };
  }
}
