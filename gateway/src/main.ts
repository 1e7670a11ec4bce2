import 'reflect-metadata';
import { loadConfig, runService } from '@storefront/service-kit';
import { gatewayConfigSchema } from './config';
import { setUpOpenApi } from './docs/openapi';
import { protectEdge } from './edge/edge-protection';
import { GatewayModule } from './gateway.module';

const config = loadConfig(gatewayConfigSchema);
void runService('gateway', {
  module: GatewayModule.register(config),
  config,
  bodyLimit: config.BODY_LIMIT_BYTES,
  configure: async (app) => {
    await protectEdge(app, config);
    setUpOpenApi(app);
  },
});
