import { Body, Controller, Get, Logger, Put, Query } from '@nestjs/common';
import {
  paymentProviderSettingsSchema,
  providerHoldsQuerySchema,
  type PaymentProviderSettings,
  type ProviderHoldsDto,
  type ProviderHoldsQuery,
} from '@storefront/contracts';
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

  /** The provider's own records; `?status=held` lists money held on cards (for invariant checks). */
  @Get('holds')
  async holds(@Query({ schema: providerHoldsQuerySchema }) query: ProviderHoldsQuery): Promise<ProviderHoldsDto> {
    return { items: await this.provider.holds(query.status) };
  }

  @Put()
  put(@Body({ schema: paymentProviderSettingsSchema }) body: PaymentProviderSettings): PaymentProviderSettings {
    const settings = this.provider.configure(body);
    this.logger.log({ settings }, 'payment provider settings changed');
    return settings;
  }
}
