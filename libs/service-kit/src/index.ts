export {
  ConfigError,
  baseConfigSchema,
  databaseConfigSchema,
  grpcServerConfigSchema,
  loadConfig,
  parseConfig,
  type BaseConfig,
} from './config/config';
export { ServiceKitModule, type ServiceKitOptions } from './bootstrap/service-kit.module';
export { createServiceApp, runService, startServiceApp, type ServiceAppOptions } from './bootstrap/service-app';
export { HealthRegistry, type ReadinessCheck, type ReadinessReport } from './health/health.registry';
export { PROBLEM_CONTENT_TYPE, retryAfterOf, toProblem, type ProblemDetails } from './http/problem-details';
export { DependencyUnavailableError, asDependencyError, classifyFailure, isTransientFailure } from './errors/dependency-errors';
export { requestIdOf, sendProblem } from './http/problem-details.filter';
export { parseInput, requestValidationError } from './http/validation';
export { IdempotencyKeyError, requireIdempotencyKey } from './http/idempotency-key';
export { REQUEST_ID_HEADER } from './logging/logging';
export { GrpcStatusFilter, toGrpcStatus } from './grpc/grpc-status.filter';
export { callUnary, fromGrpcError, type GrpcClient, type UnaryCallOptions } from './grpc/grpc-client';
export { grpcClientModule } from './grpc/grpc-client.module';
export { DownstreamError } from './errors/downstream-error';
export { CANARY_HEADER, requestContext, type RequestContext } from './context/request-context';
export { FaultInjector, InjectedFaultError, faultConfigSchema, type FaultConfig } from './faults/fault-injection';
export { GrpcService } from './grpc/grpc-service.decorator';
export { GrpcContextInterceptor } from './grpc/grpc-context.interceptor';
export { callHttp, type DownstreamResponse } from './http/downstream-http';
export {
  AuthGuard,
  Authenticated,
  AuthenticationError,
  CurrentPrincipal,
  ForbiddenError,
  ROLES,
  TokenVerifier,
  authConfigSchema,
  hasRole,
  type AuthConfig,
  type Principal,
  type Role,
} from './auth';
export { startTracing, activeTraceId, tracingSettings, type Tracing } from './tracing/tracing';
export { TRACE_ID_HEADER } from './tracing/http-server.tracing';
export { Sweeper } from './schedule/sweeper';
export { ReadView, type Loaded, type ReadViewOptions } from './cache/read-view';
export { representationOf, sendRepresentation, serveFromMemory, type Representation } from './cache/representation';
