import { InterceptingCall, status, type Interceptor, type Metadata } from '@grpc/grpc-js';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { metadataSetter, RPC_ATTRIBUTES, splitGrpcPath } from './grpc-metadata.carrier';
import { tracer } from './tracing';

export interface GrpcClientSpan {
  /** grpc-js call interceptors that name the span after the real method path. */
  readonly interceptors: Interceptor[];
  end(error?: unknown): void;
}

/**
 * A CLIENT span around one outgoing unary call, its context injected into `metadata`. It is named
 * `downstream/Operation` until grpc-js tells the method's full path (`catalog.v1.CatalogService/GetProduct`).
 */
export function startGrpcClientSpan(downstream: string, operation: string, metadata: Metadata): GrpcClientSpan {
  const span = tracer().startSpan(`${downstream}/${operation}`, { kind: SpanKind.CLIENT });
  // For a span that is recorded only: the attributes, and the interceptor that renames it (an
  // interceptor is a layer of grpc-js calls per call).
  const recording = span.isRecording();
  if (recording) span.setAttributes({ [RPC_ATTRIBUTES.system]: 'grpc', [RPC_ATTRIBUTES.method]: operation, 'peer.service': downstream });
  propagation.inject(trace.setSpan(context.active(), span), metadata, metadataSetter);
  const nameFromPath: Interceptor = (options, nextCall) => {
    const { service, method } = splitGrpcPath(options.method_definition.path);
    span.updateName(`${service}/${method}`);
    span.setAttributes({ [RPC_ATTRIBUTES.service]: service, [RPC_ATTRIBUTES.method]: method });
    return new InterceptingCall(nextCall(options));
  };
  return {
    interceptors: recording ? [nameFromPath] : [],
    end: (error) => {
      if (error === undefined) {
        span.setAttribute(RPC_ATTRIBUTES.grpcStatusCode, status.OK);
      } else {
        const code = (error as { code?: unknown }).code;
        if (typeof code === 'number') span.setAttribute(RPC_ATTRIBUTES.grpcStatusCode, code);
        span.setAttribute(ATTR_ERROR_TYPE, typeof code === 'number' ? (status[code] ?? String(code)) : (error as Error).name);
        span.recordException(error instanceof Error ? error : { message: JSON.stringify(error) });
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
}
