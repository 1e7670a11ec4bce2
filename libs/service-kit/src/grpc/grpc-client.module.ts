import type { DynamicModule } from '@nestjs/common';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { GRPC_CHANNEL_OPTIONS, GRPC_LOADER_OPTIONS } from '@storefront/contracts';

/**
 * A gRPC client of another service's API, registered under `token` with the shared loader and
 * channel options (keep-alive, message limits), so every caller talks gRPC the same way:
 *
 *   imports: [grpcClientModule(CATALOG_GRPC, CATALOG_V1, config.CATALOG_GRPC_URL)]
 */
export function grpcClientModule(
  token: string | symbol,
  api: { readonly package: string; readonly protoPath: string },
  url: string,
): DynamicModule {
  return ClientsModule.register([
    {
      name: token,
      transport: Transport.GRPC,
      options: { package: api.package, protoPath: api.protoPath, url, loader: GRPC_LOADER_OPTIONS, channelOptions: GRPC_CHANNEL_OPTIONS },
    },
  ]);
}
