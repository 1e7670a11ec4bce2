import 'reflect-metadata';
import { loadConfig, runService } from '@storefront/service-kit';
import { paymentConfigSchema } from './config';
import { PaymentModule } from './payment.module';

const config = loadConfig(paymentConfigSchema);
void runService('payment', { module: PaymentModule.register(config), config });
