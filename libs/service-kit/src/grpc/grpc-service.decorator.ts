import { applyDecorators, Controller, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { AuthGuard } from '../auth/auth.guard';
import { GrpcContextInterceptor } from './grpc-context.interceptor';
import { GrpcStatusFilter } from './grpc-status.filter';

/**
 * Marks a gRPC controller: errors become gRPC statuses, handlers run in the caller's request context,
 * and @Authenticated methods check the `authorization` metadata (the HTTP side gets the same guard
 * globally; gRPC handlers of a hybrid app do not see global enhancers, hence it is named here).
 */
export function GrpcService(): ClassDecorator {
  return applyDecorators(Controller(), UseFilters(GrpcStatusFilter), UseGuards(AuthGuard), UseInterceptors(GrpcContextInterceptor));
}
