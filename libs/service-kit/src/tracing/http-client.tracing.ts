import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
import { tracer } from './tracing';

export interface HttpClientSpan {
  /** The answer's status; 5xx marks the span failed. */
  answered(statusCode: number): void;
  /** No answer (unreachable, timed out). */
  failed(error: Error): void;
}

/** A CLIENT span around one outgoing HTTP request, its context injected into `headers`. */
export function startHttpClientSpan(method: string, url: string, downstream: string, headers: Record<string, string>): HttpClientSpan {
  const span = tracer().startSpan(method, { kind: SpanKind.CLIENT });
  // Attributes only for a span that is recorded (the sampler does not read them): most calls in
  // production are not, and parsing the URL for them was most of an unrecorded span's cost.
  if (span.isRecording()) {
    const target = new URL(url);
    span.setAttributes({
      [ATTR_HTTP_REQUEST_METHOD]: method,
      // Without the query: it may carry what does not belong in a trace backend.
      [ATTR_URL_FULL]: `${target.origin}${target.pathname}`,
      [ATTR_SERVER_ADDRESS]: target.hostname,
      [ATTR_SERVER_PORT]: Number(target.port || (target.protocol === 'https:' ? 443 : 80)),
      'peer.service': downstream,
    });
  }
  propagation.inject(trace.setSpan(context.active(), span), headers);
  return {
    answered: (statusCode) => {
      if (!span.isRecording()) return void span.end();
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
      // Client spans: any 4xx or 5xx answer is an error of the call.
      if (statusCode >= 400) {
        span.setAttribute(ATTR_ERROR_TYPE, String(statusCode));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
    failed: (error) => {
      span.setAttribute(ATTR_ERROR_TYPE, error.name);
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}
