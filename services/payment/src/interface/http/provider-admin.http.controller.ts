import { Body, Controller, Get, Logger, Put } from '@nestjs/common';
import { type PaymentProviderSettings, paymentProviderSettingsSchema } from '@storefront/contracts';
import { Authenticated } from '@storefront/service-kit';
import { SimulatedPaymentProvider } from '../../infrastructure/provider/simulated-payment-provider';

/** Run-time control of the simulated provider, for experiments (admin; the gateway routes it as /api/admin/payment-provider). */
@Controller('admin/provider')
@Authenticated('admin')
export class ProviderAdminHttpController {
  private readonly logger = new Logger(ProviderAdminHttpController.name);

  constructor(private readonly provider: SimulatedPaymentProvider) {}

  @Get()
  get(): PaymentProviderSettings {
    return this.provider.settings;
  }

  @Put()
  put(@Body({ schema: paymentProviderSettingsSchema }) body: PaymentProviderSettings): PaymentProviderSettings {
    const settings = this.provider.configure(body);
    this.logger.log({ settings }, 'payment provider settings changed');
    return settings;
  }
}
