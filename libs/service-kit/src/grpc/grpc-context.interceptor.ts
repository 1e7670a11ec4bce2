import { randomUUID } from 'node:crypto';
import { status, type Metadata } from '@grpc/grpc-js';
import { Inject, Injectable, Optional, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { context as otelContext, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { from, mergeMap, Observable } from 'rxjs';
import { CANARY_HEADER, canaryValue, requestContext } from '../context/request-context';
import { FaultInjector } from '../faults/fault-injection';
import { REQUEST_ID_HEADER } from '../logging/logging';
import { metadataGetter, RPC_ATTRIBUTES, splitGrpcPath } from '../tracing/grpc-metadata.carrier';
import { tracer } from '../tracing/tracing';
import { toGrpcStatus } from './grpc-status.filter';

function first(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' && value.length <= 128 ? value : undefined;
}

/** Statuses that mean the server failed (the RPC conventions); the others are the caller's doing. */
const SERVER_FAULTS = new Set([
  status.UNKNOWN,
  status.DEADLINE_EXCEEDED,
  status.UNIMPLEMENTED,
  status.INTERNAL,
  status.UNAVAILABLE,
  status.DATA_LOSS,
]);

/**
 * Runs a gRPC handler inside the caller's request context (x-request-id from metadata) and a SERVER
 * span that continues the caller's trace (traceparent from metadata), named `package.Service/Method`.
 * A fault the FAULT_* variables ask for happens inside that span, as the handler's own failure would.
 */
@Injectable()
export class GrpcContextInterceptor implements NestInterceptor {
  constructor(@Optional() @Inject(FaultInjector) private readonly faults?: FaultInjector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const metadata = context.switchToRpc().getContext<Metadata>();
    const requestId = first(metadata, REQUEST_ID_HEADER) ?? randomUUID();
    const current = {
      requestId,
      correlationId: first(metadata, 'x-correlation-id') ?? requestId,
      causationId: requestId,
      canary: canaryValue(metadata.get(CANARY_HEADER)[0]),
    };
    const call = context.getArgByIndex<{ getPath?: () => string } | undefined>(2);
    const { service, method } = splitGrpcPath(call?.getPath?.() ?? `${context.getClass().name}/${context.getHandler().name}`);
    const parent = propagation.extract(ROOT_CONTEXT, metadata, metadataGetter);
    const span = tracer().startSpan(
      `${service}/${method}`,
      {
        kind: SpanKind.SERVER,
        attributes: { [RPC_ATTRIBUTES.system]: 'grpc', [RPC_ATTRIBUTES.service]: service, [RPC_ATTRIBUTES.method]: method },
      },
      parent,
    );
    const active = trace.setSpan(parent, span);
    const fault = this.faults?.decide(call?.getPath?.() ?? `/${service}/${method}`);
    const handled = fault ? from((this.faults as FaultInjector).apply(fault)).pipe(mergeMap(() => next.handle())) : next.handle();
    return new Observable((subscriber) =>
      requestContext.run(current, () =>
        otelContext.with(active, () =>
          handled.subscribe({
            next: (value) => subscriber.next(value),
            error: (error: unknown) => {
              const code = toGrpcStatus(error).code;
              span.setAttribute(RPC_ATTRIBUTES.grpcStatusCode, code);
              span.recordException(error instanceof Error ? error : String(error));
              if (SERVER_FAULTS.has(code)) span.setStatus({ code: SpanStatusCode.ERROR });
              span.end();
              subscriber.error(error);
            },
            complete: () => {
              span.setAttribute(RPC_ATTRIBUTES.grpcStatusCode, status.OK);
              span.end();
              subscriber.complete();
            },
          }),
        ),
      ),
    );
  }
}
