import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AuthGuard } from '../auth/auth.guard';
import { TokenVerifier } from '../auth/token-verifier';
import type { BaseConfig } from '../config/config';
import { FaultInjector } from '../faults/fault-injection';
import { HealthHttpController } from '../health/health.http.controller';
import { HealthRegistry } from '../health/health.registry';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { createValidationPipe } from '../http/validation';
import { loggingModule } from '../logging/logging';
import { MetricsHttpController } from '../metrics/metrics.http.controller';

export interface ServiceKitOptions {
  /** Name in logs and health output, e.g. "catalog". */
  readonly service: string;
  /** The process's parsed configuration: its log level, and the keys that verify access tokens. */
  readonly config: BaseConfig;
}

/**
 * What every process gets by importing one module: JSON logs with request ids, problem+json errors,
 * schema validation of inputs, access-token checks on @Authenticated routes, /health/live +
 * /health/ready, Prometheus /metrics, and the FAULT_* knobs of canary experiments.
 */
@Global()
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitOptions): DynamicModule {
    return {
      module: ServiceKitModule,
      imports: [
        loggingModule({
          service: options.service,
          level: options.config.LOG_LEVEL,
          accessLog: options.config.ACCESS_LOG ?? options.config.NODE_ENV !== 'production',
        }),
      ],
      controllers: [HealthHttpController, MetricsHttpController],
      providers: [
        HealthRegistry,
        { provide: TokenVerifier, useValue: new TokenVerifier(options.config) },
        { provide: FaultInjector, useValue: new FaultInjector(options.config) },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
      exports: [HealthRegistry, TokenVerifier, FaultInjector],
    };
  }
}
