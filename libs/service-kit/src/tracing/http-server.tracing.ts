import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { tracer } from './tracing';

/** Response header with the request's trace id, so a caller can look the trace up. */
export const TRACE_ID_HEADER = 'x-trace-id';

const spans = new WeakMap<FastifyRequest, Span>();

/** Probes every few seconds are not traced, as they are not logged. */
function isProbe(route: string | undefined): boolean {
  return route !== undefined && (route.startsWith('/health') || route.startsWith('/metrics'));
}

/**
 * Starts the SERVER span of a request (a child of the caller's `traceparent`, if any) and returns the
 * context to run the request in. Named by route template (`GET /api/orders/:id`), never by raw URL.
 */
export function startHttpServerSpan(request: FastifyRequest, setHeader: (name: string, value: string) => void): Context {
  const route = request.routeOptions.url;
  if (isProbe(route)) return ROOT_CONTEXT;
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  const span = tracer().startSpan(route ? `${request.method} ${route}` : request.method, { kind: SpanKind.SERVER }, parent);
  // Attributes only for a span that is recorded: the sampler does not read them, and most requests
  // in production are not sampled (building and sanitising them was a few % of a product read).
  if (span.isRecording()) {
    const userAgent = request.headers['user-agent'];
    span.setAttributes({
      [ATTR_HTTP_REQUEST_METHOD]: request.method,
      [ATTR_URL_PATH]: request.url.split('?')[0],
      [ATTR_URL_SCHEME]: request.protocol,
      [ATTR_NETWORK_PROTOCOL_VERSION]: request.raw.httpVersion,
      [ATTR_CLIENT_ADDRESS]: request.ip,
      ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}),
      ...(userAgent ? { [ATTR_USER_AGENT_ORIGINAL]: userAgent } : {}),
    });
  }
  spans.set(request, span);
  const traceId = span.spanContext().traceId;
  if (trace.isSpanContextValid(span.spanContext())) setHeader(TRACE_ID_HEADER, traceId);
  return trace.setSpan(parent, span);
}

function endHttpServerSpan(request: FastifyRequest, statusCode: number | undefined): void {
  const span = spans.get(request);
  if (!span) return;
  spans.delete(request);
  if (!span.isRecording()) {
    span.end();
    return;
  }
  if (statusCode === undefined) {
    span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
  } else {
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
    // Server spans: a 4xx is the client's mistake, not an error of this span.
    if (statusCode >= 500) {
      span.setAttribute(ATTR_ERROR_TYPE, String(statusCode));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }
  span.end();
}

/** Ends each request's span with its status code, or as aborted when the client went away. */
export function traceHttpServer(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    endHttpServerSpan(request, reply.statusCode);
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    endHttpServerSpan(request, undefined);
    done();
  });
}

/**
 * Records an exception that the exception filter answers on the request's span (fastify never sees
 * it). The status code decides whether the span failed. Called by ProblemDetailsFilter rather than
 * from a global interceptor: an interceptor puts every request through rxjs (defer, mergeAll, tap),
 * which was ~2–3 % of the gateway's CPU per request (docs/bench.md, item 43); without interceptors
 * Nest awaits the handler directly.
 */
export function recordRequestException(exception: unknown): void {
  const span = trace.getSpan(context.active());
  if (span?.isRecording()) span.recordException(exception instanceof Error ? exception : String(exception));
}
