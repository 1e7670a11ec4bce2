import 'reflect-metadata';
import { CATALOG_V1 } from '@storefront/contracts';
import { loadConfig, runService } from '@storefront/service-kit';
import { CatalogModule } from './catalog.module';
import { catalogConfigSchema } from './config';

const config = loadConfig(catalogConfigSchema);
void runService('catalog', { module: CatalogModule.register(config), config, grpc: [CATALOG_V1] });
