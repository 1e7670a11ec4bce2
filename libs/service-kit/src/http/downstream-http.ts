import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { CANARY_HEADER, requestContext } from '../context/request-context';
import { DownstreamError } from '../errors/downstream-error';
import { REQUEST_ID_HEADER } from '../logging/logging';
import { downstreamCallDuration } from '../metrics/http-metrics';
import { startHttpClientSpan } from '../tracing/http-client.tracing';

export interface DownstreamResponse {
  readonly status: number;
  readonly contentType: string;
  readonly headers: { get(name: string): string | null };
  /** The answer parsed as JSON (the text itself when it is not JSON; undefined when empty), parsed on first read. */
  readonly body: unknown;
  /** The answer as it came, for passing it on without parsing and serialising it again. */
  readonly text: string;
}

/** The JSON of a text answer, else the text (undefined for none). */
function parsedBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // not JSON; passed on as text
  }
}

/**
 * Connections to downstream services, kept open between calls. node:http rather than fetch: a call
 * through fetch (undici's WHATWG Request, Headers and body streams) cost about 0.2 ms more CPU than
 * the same call through node:http in a side-by-side measurement (docs/bench.md item 37), and the gateway
 * makes two per order.
 */
const agent = new Agent({ keepAlive: true });

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** A call's deadline: whether it passed. */
interface Deadline {
  timedOut: boolean;
}

/**
 * One request and its whole answer; rejects when the connection fails or the deadline passes (the
 * request is destroyed then). A timer cleared on settling rather than `AbortSignal.timeout` (an
 * EventTarget with a weakly held timer, and abort listeners on the request): see docs/bench.md,
 * item 45.
 */
function exchange(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs: number,
  deadline: Deadline,
) {
  return new Promise<Answer>((resolve, reject) => {
    const timer = setTimeout(() => {
      deadline.timedOut = true;
      request.destroy(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    // Like AbortSignal.timeout's: a pending deadline does not keep the process alive by itself.
    timer.unref();
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    const request = httpRequest(url, { method, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 502, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
      // Closed before its end (the connection broke or the deadline destroyed it): no answer.
      response.on('close', () => {
        if (!response.complete) fail(new Error('the answer was cut off'));
      });
    });
    request.on('error', fail);
    request.end(body);
  });
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
  const method = options.method ?? 'GET';
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  const stop = downstreamCallDuration().startTimer({ downstream: options.downstream, operation: method });
  const span = startHttpClientSpan(method, url, options.downstream, headers);
  const deadline: Deadline = { timedOut: false };
  let answer: Answer;
  try {
    answer = await exchange(url, method, headers, body, options.timeoutMs, deadline);
  } catch (error) {
    const timedOut = deadline.timedOut;
    stop({ outcome: timedOut ? 'DOWNSTREAM.TIMEOUT' : 'DOWNSTREAM.UNAVAILABLE' });
    span.failed(error as Error);
    if (timedOut) {
      throw new DownstreamError('DOWNSTREAM.TIMEOUT', 'timeout', `${options.downstream} did not answer in time`, { cause: error });
    }
    throw new DownstreamError('DOWNSTREAM.UNAVAILABLE', 'unavailable', `${options.downstream} is unavailable; try again shortly`, {
      cause: error,
    });
  }
  stop({ outcome: answer.status < 500 ? 'ok' : `HTTP_${answer.status}` });
  span.answered(answer.status);
  const { text } = answer;
  const get = (name: string): string | null => {
    const value = answer.headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  };
  // The body is parsed when asked for: a gateway that relays the answer unchanged passes `text` on
  // and never parses it (docs/bench.md, item 44).
  let parsed: { value: unknown } | undefined;
  return {
    status: answer.status,
    contentType: get('content-type') ?? 'application/json',
    headers: { get },
    text,
    get body() {
      parsed ??= { value: parsedBody(text) };
      return parsed.value;
    },
  };
}
