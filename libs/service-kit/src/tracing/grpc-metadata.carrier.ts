import type { Metadata } from '@grpc/grpc-js';
import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';

/** W3C trace context in gRPC metadata (`traceparent`, `tracestate`), both directions. */
export const metadataGetter: TextMapGetter<Metadata> = {
  keys: (metadata) => Object.keys(metadata.getMap()),
  get: (metadata, key) => {
    const value = metadata.get(key)[0];
    return typeof value === 'string' ? value : undefined;
  },
};

export const metadataSetter: TextMapSetter<Metadata> = {
  set: (metadata, key, value) => metadata.set(key, value),
};

/**
 * Attribute names of the RPC conventions as gRPC instrumentations emit them today (rpc.system,
 * rpc.service, rpc.method, rpc.grpc.status_code). They live in the package's unstable entry point,
 * whose own advice is to copy them rather than import it.
 */
export const RPC_ATTRIBUTES = {
  system: 'rpc.system',
  service: 'rpc.service',
  method: 'rpc.method',
  grpcStatusCode: 'rpc.grpc.status_code',
} as const;

/** `/catalog.v1.CatalogService/GetProduct` → service and method. */
export function splitGrpcPath(path: string): { service: string; method: string } {
  const [service = '', method = ''] = path.replace(/^\//, '').split('/');
  return { service, method };
}
