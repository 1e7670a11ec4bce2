import type { Provider } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { CATALOG_POLICY, downstreamPolicyFromConfig, waitPolicyFromConfig, type DownstreamPolicy } from '../resilience/downstream-policy';
import { RestDownstream } from './rest-downstream';

export const ORDER_SERVICE = Symbol('OrderService');
export const INVENTORY_SERVICE = Symbol('InventoryService');
export const PAYMENT_SERVICE = Symbol('PaymentService');

function rest(token: symbol, name: string, url: (config: GatewayConfig) => string): Provider {
  return {
    provide: token,
    inject: [GATEWAY_CONFIG],
    useFactory: (config: GatewayConfig) =>
      new RestDownstream(
        name,
        url(config),
        downstreamPolicyFromConfig(name, config),
        config.DOWNSTREAM_TIMEOUT_MS,
        waitPolicyFromConfig(name, config),
      ),
  };
}

/** Every service behind the gateway, each with a resilience policy (bulkhead, breaker, retries) of its own. */
export const DOWNSTREAM_PROVIDERS: Provider[] = [
  {
    provide: CATALOG_POLICY,
    inject: [GATEWAY_CONFIG],
    useFactory: (config: GatewayConfig): DownstreamPolicy => downstreamPolicyFromConfig('catalog', config),
  },
  rest(ORDER_SERVICE, 'order', (config) => config.ORDER_URL),
  rest(INVENTORY_SERVICE, 'inventory', (config) => config.INVENTORY_URL),
  rest(PAYMENT_SERVICE, 'payment', (config) => config.PAYMENT_URL),
];
