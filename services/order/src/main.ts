import 'reflect-metadata';
import { loadConfig, runService } from '@storefront/service-kit';
import { orderConfigSchema } from './config';
import { OrderModule } from './order.module';

const config = loadConfig(orderConfigSchema);
void runService('order', { module: OrderModule.register(config), config });
