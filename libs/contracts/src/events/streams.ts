/**
 * JetStream streams, one per domain. A stream holds every event its domain ever published (until
 * retention), so read models can be rebuilt by replaying it.
 */
export interface StreamDefinition {
  readonly name: string;
  /** Subject prefix (domain) whose events the stream stores. */
  readonly domain: string;
  readonly description: string;
}

export const CATALOG_STREAM: StreamDefinition = {
  name: 'CATALOG',
  domain: 'catalog',
  description: 'Product and category changes',
};
export const INVENTORY_STREAM: StreamDefinition = {
  name: 'INVENTORY',
  domain: 'inventory',
  description: 'Stock levels and reservations',
};
export const ORDERS_STREAM: StreamDefinition = { name: 'ORDERS', domain: 'orders', description: 'Order lifecycle' };
export const PAYMENTS_STREAM: StreamDefinition = { name: 'PAYMENTS', domain: 'payment', description: 'Payment outcomes' };
/** Messages a consumer gave up on after its last delivery, with the error. */
export const DEADLETTER_STREAM: StreamDefinition = {
  name: 'DEADLETTER',
  domain: 'deadletter',
  description: 'Messages that failed every delivery attempt',
};

export const STREAMS: readonly StreamDefinition[] = [CATALOG_STREAM, INVENTORY_STREAM, ORDERS_STREAM, PAYMENTS_STREAM, DEADLETTER_STREAM];
