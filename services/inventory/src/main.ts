import 'reflect-metadata';
import { INVENTORY_V1 } from '@storefront/contracts';
import { loadConfig, runService } from '@storefront/service-kit';
import { inventoryConfigSchema } from './config';
import { InventoryModule } from './inventory.module';

const config = loadConfig(inventoryConfigSchema);
void runService('inventory', { module: InventoryModule.register(config), config, grpc: [INVENTORY_V1] });
