import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import type { AuthConfig } from '../auth/auth.config';
import { AuthGuard } from '../auth/auth.guard';
import { TokenVerifier } from '../auth/token-verifier';
import { HealthHttpController } from '../health/health.http.controller';
import { HealthRegistry } from '../health/health.registry';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { createValidationPipe } from '../http/validation';
import { loggingModule } from '../logging/logging';
import { MetricsHttpController } from '../metrics/metrics.http.controller';

export interface ServiceKitOptions {
  /** Name in logs and health output, e.g. "catalog". */
  readonly service: string;
  readonly logLevel: string;
  /** Keys that verify access tokens on @Authenticated routes; without them those routes answer 401. */
  readonly auth?: Partial<AuthConfig>;
}

/**
 * What every process gets by importing one module: JSON logs with request ids, problem+json errors,
 * schema validation of inputs, access-token checks on @Authenticated routes, /health/live +
 * /health/ready, and Prometheus /metrics.
 */
@Global()
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitOptions): DynamicModule {
    return {
      module: ServiceKitModule,
      imports: [loggingModule({ service: options.service, level: options.logLevel })],
      controllers: [HealthHttpController, MetricsHttpController],
      providers: [
        HealthRegistry,
        {
          provide: TokenVerifier,
          useValue: new TokenVerifier({ AUTH_ISSUER: 'storefront-dev', AUTH_AUDIENCE: 'storefront', ...options.auth }),
        },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
      exports: [HealthRegistry, TokenVerifier],
    };
  }
}
