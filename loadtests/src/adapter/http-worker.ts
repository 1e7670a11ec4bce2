// The other half of the adapter's synchronous k6/http: a worker thread that does the actual request
// with fetch while the script's thread blocks on it (synckit, Atomics.wait on a shared buffer).
import { runAsWorker } from 'synckit';
import type { WireRequest, WireResponse } from './wire';

runAsWorker(async (request: WireRequest): Promise<WireResponse> => {
  const started = performance.now();
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const body = await response.text();
    return {
      status: response.status,
      statusText: response.statusText,
      url: response.url,
      headers: [...response.headers],
      body,
      durationMs: performance.now() - started,
    };
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return {
      status: 0,
      statusText: '',
      url: request.url,
      headers: [],
      body: '',
      durationMs: performance.now() - started,
      // k6's codes: 1050 request timeout, 1000 any other failure.
      error: timedOut ? 'request timeout' : (cause?.code ?? cause?.message ?? (error as Error).message),
      errorCode: timedOut ? 1050 : 1000,
    };
  }
});
