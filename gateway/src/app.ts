import type { ServiceAppOptions } from '@storefront/service-kit';
import type { GatewayConfig } from './config';
import { setUpOpenApi } from './docs/openapi';
import { protectEdge } from './edge/edge-protection';
import { GatewayModule } from './gateway.module';

/** How the gateway process is built; main.ts runs it, tests start it in-process. */
export function gatewayApp(config: GatewayConfig): ServiceAppOptions {
  return {
    module: GatewayModule.register(config),
    config,
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY === false ? undefined : config.TRUST_PROXY,
    configure: async (app) => {
      await protectEdge(app, config);
      setUpOpenApi(app);
    },
  };
}
