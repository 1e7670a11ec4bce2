import { CANARY_HEADER, requestContext } from '../context/request-context';
import { DownstreamError } from '../errors/downstream-error';
import { REQUEST_ID_HEADER } from '../logging/logging';
import { downstreamCallDuration } from '../metrics/http-metrics';
import { startHttpClientSpan } from '../tracing/http-client.tracing';

export interface DownstreamResponse {
  readonly status: number;
  readonly contentType: string;
  readonly headers: Headers;
  readonly body: unknown;
}

/**
 * One HTTP call to a downstream service with a timeout, the request id and trace context, in a
 * CLIENT span. The downstream's own answer (success or problem+json) is returned as it is; a
 * downstream that does not answer becomes a DownstreamError (503 when unreachable, 504 when too
 * slow), never a hang.
 */
export async function callHttp(
  url: string,
  options: {
    downstream: string;
    timeoutMs: number;
    method?: string;
    body?: unknown;
    headers?: Record<string, string | undefined>;
    requestId?: string | undefined;
  },
): Promise<DownstreamResponse> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers[name] = value;
  if (options.requestId) headers[REQUEST_ID_HEADER] = options.requestId;
  const canary = requestContext.current()?.canary;
  if (canary) headers[CANARY_HEADER] = canary;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  const stop = downstreamCallDuration().startTimer({ downstream: options.downstream, operation: options.method ?? 'GET' });
  const span = startHttpClientSpan(options.method ?? 'GET', url, options.downstream, headers);
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    stop({ outcome: (error as Error).name === 'TimeoutError' ? 'DOWNSTREAM.TIMEOUT' : 'DOWNSTREAM.UNAVAILABLE' });
    span.failed(error as Error);
    if ((error as Error).name === 'TimeoutError') {
      throw new DownstreamError('DOWNSTREAM.TIMEOUT', 'timeout', `${options.downstream} did not answer in time`, { cause: error });
    }
    throw new DownstreamError('DOWNSTREAM.UNAVAILABLE', 'unavailable', `${options.downstream} is unavailable; try again shortly`, {
      cause: error,
    });
  }
  stop({ outcome: response.status < 500 ? 'ok' : `HTTP_${response.status}` });
  span.answered(response.status);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON; passed on as text
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? 'application/json',
    headers: response.headers,
    body,
  };
}
