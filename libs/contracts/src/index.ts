import { join } from 'node:path';

export * as catalogV1 from './generated/catalog/v1/catalog';
export * as inventoryV1 from './generated/inventory/v1/inventory';
export * from './http/catalog';
export * from './http/orders';
export * from './http/inventory';
export * from './http/payment';
export * from './grpc/timestamp';

/** Root of the .proto tree; pass it as an include directory to the gRPC loader. */
export const PROTO_ROOT = join(__dirname, '..', 'proto');

/** Everything a gRPC server or client needs to load one versioned package. */
export interface GrpcPackageDefinition {
  readonly package: string;
  readonly protoPath: string;
  readonly serviceName: string;
}

export const INVENTORY_V1: GrpcPackageDefinition = {
  package: 'inventory.v1',
  protoPath: join(PROTO_ROOT, 'inventory', 'v1', 'inventory.proto'),
  serviceName: 'InventoryService',
};

export const CATALOG_V1: GrpcPackageDefinition = {
  package: 'catalog.v1',
  protoPath: join(PROTO_ROOT, 'catalog', 'v1', 'catalog.proto'),
  serviceName: 'CatalogService',
};

/**
 * Channel options for clients between services: after a server restarts, reconnect within
 * seconds instead of grpc-js's default back-off of up to two minutes.
 */
export const GRPC_CHANNEL_OPTIONS = {
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 2_000,
  'grpc.keepalive_time_ms': 30_000,
};

/**
 * Loader options shared by every server and client so both sides decode messages the same way:
 * camelCase fields, int64 as JS numbers, defaults filled for non-optional fields.
 */
export const GRPC_LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: false,
  includeDirs: [PROTO_ROOT],
};
export * from './events';
