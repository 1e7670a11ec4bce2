import { Controller, UseFilters, UseInterceptors, applyDecorators } from '@nestjs/common';
import { GrpcContextInterceptor } from './grpc-context.interceptor';
import { GrpcStatusFilter } from './grpc-status.filter';

/** Marks a gRPC controller: errors become gRPC statuses, handlers run in the caller's request context. */
export function GrpcService(): ClassDecorator {
  return applyDecorators(Controller(), UseFilters(GrpcStatusFilter), UseInterceptors(GrpcContextInterceptor));
}
