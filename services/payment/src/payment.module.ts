import { Module, type DynamicModule } from '@nestjs/common';
import { MessagingModule } from '@storefront/messaging';
import { SqlDatabase } from '@storefront/persistence';
import { ServiceKitModule } from '@storefront/service-kit';
import { AuthorizePaymentHandler } from './application/commands/authorize-payment/authorize-payment.handler';
import { CapturePaymentHandler } from './application/commands/capture-payment/capture-payment.handler';
import { VoidPaymentHandler } from './application/commands/void-payment/void-payment.handler';
import { GetPaymentHandler } from './application/queries/get-payment/get-payment.handler';
import type { PaymentConfig } from './config';
import { PAYMENT_PROVIDER } from './domain/payment-provider';
import { PAYMENT_REPOSITORY } from './domain/payment.repository';
import { PrismaPaymentRepository } from './infrastructure/prisma/prisma-payment.repository';
import { prismaModule, PrismaService } from './infrastructure/prisma/prisma.service';
import { PrismaProviderLedger } from './infrastructure/provider/provider-ledger';
import { SimulatedPaymentProvider } from './infrastructure/provider/simulated-payment-provider';
import { PaymentsHttpController } from './interface/http/payments.http.controller';
import { ProviderAdminHttpController } from './interface/http/provider-admin.http.controller';
import { PaymentCommandsConsumer } from './interface/messaging/payment-commands.consumer';

@Module({})
export class PaymentModule {
  static register(config: PaymentConfig): DynamicModule {
    const settings = {
      latencyMs: config.PROVIDER_LATENCY_MS,
      failureRate: config.PROVIDER_FAILURE_RATE,
      declineAmountOverMinor: config.PROVIDER_DECLINE_AMOUNT_OVER_MINOR ?? null,
    };
    return {
      module: PaymentModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'payment', config }),
        prismaModule(config),
        MessagingModule.fromConfig(config, { service: 'payment', transactionalClient: SqlDatabase }),
      ],
      controllers: [PaymentsHttpController, ProviderAdminHttpController],
      providers: [
        { provide: PAYMENT_REPOSITORY, useClass: PrismaPaymentRepository },
        {
          provide: SimulatedPaymentProvider,
          useFactory: (prisma: PrismaService, sql: SqlDatabase) =>
            new SimulatedPaymentProvider(settings, new PrismaProviderLedger(prisma, sql)),
          inject: [PrismaService, SqlDatabase],
        },
        { provide: PAYMENT_PROVIDER, useExisting: SimulatedPaymentProvider },
        AuthorizePaymentHandler,
        CapturePaymentHandler,
        VoidPaymentHandler,
        GetPaymentHandler,
        PaymentCommandsConsumer,
      ],
    };
  }
}
