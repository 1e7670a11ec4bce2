import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { Observable } from 'rxjs';
import { requestContext } from '../context/request-context';
import { REQUEST_ID_HEADER } from '../logging/logging';

function first(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' && value.length <= 128 ? value : undefined;
}

/** Runs a gRPC handler inside the caller's request context (x-request-id, traceparent from metadata). */
@Injectable()
export class GrpcContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const metadata = context.switchToRpc().getContext<Metadata>();
    const requestId = first(metadata, REQUEST_ID_HEADER) ?? randomUUID();
    const current = {
      requestId,
      correlationId: first(metadata, 'x-correlation-id') ?? requestId,
      causationId: requestId,
      traceparent: first(metadata, 'traceparent'),
      tracestate: first(metadata, 'tracestate'),
    };
    return new Observable((subscriber) => requestContext.run(current, () => next.handle().subscribe(subscriber)));
  }
}
