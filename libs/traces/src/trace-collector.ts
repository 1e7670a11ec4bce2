import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { OtlpFormatError, summarize, TraceStore, type TraceStoreOptions } from './trace-store';
import { VIEWER_PAGE } from './viewer-page';
import { isHop, waterfallRows } from './waterfall';

/*
 * A small OTLP/HTTP trace collector that keeps recent traces in memory and shows them: what
 * `npm start` and the end-to-end tests export to. Hand-written on purpose: the usual viewers (Jaeger,
 * Zipkin, Tempo) are not npm packages, and the local stack must work with nothing installed. It
 * speaks OTLP/JSON only, which is what the services' exporter (@opentelemetry/exporter-trace-otlp-http)
 * sends. Routes:
 *   POST /v1/traces         OTLP/JSON ExportTraceServiceRequest (gzip accepted)
 *   GET  /                  the viewer page
 *   GET  /api/traces        recent traces, newest first (?root=<service>&service=<service>&limit=<n>)
 *   GET  /api/traces/<id>   one trace: its summary and its spans in tree order (?hops=1: no database spans)
 *   GET  /api/stats         spans received since the start (kept or not) and traces kept
 */

const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface TraceCollector {
  readonly store: TraceStore;
  /** Where the viewer is, e.g. http://127.0.0.1:4318 */
  readonly url: string;
  /** The value for OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
  readonly otlpEndpoint: string;
  close(): Promise<void>;
}

export interface TraceCollectorOptions extends TraceStoreOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
}

function send(response: ServerResponse, status: number, body: string, contentType = 'application/json'): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(body);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new OtlpFormatError(`body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  return request.headers['content-encoding'] === 'gzip' ? promisify(gunzip)(body) : body;
}

async function handle(store: TraceStore, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://collector');
  if (request.method === 'POST' && url.pathname === '/v1/traces') {
    if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
      send(response, 415, JSON.stringify({ message: 'this collector takes OTLP/JSON only (OTEL_EXPORTER_OTLP_PROTOCOL=http/json)' }));
      return;
    }
    try {
      store.ingest(JSON.parse((await readBody(request)).toString('utf8')));
    } catch (error) {
      if (error instanceof OtlpFormatError || error instanceof SyntaxError) {
        send(response, 400, JSON.stringify({ message: error.message }));
        return;
      }
      throw error;
    }
    send(response, 200, '{}');
    return;
  }
  if (request.method !== 'GET') {
    send(response, 405, JSON.stringify({ message: 'method not allowed' }));
    return;
  }
  if (url.pathname === '/') {
    send(response, 200, VIEWER_PAGE, 'text/html; charset=utf-8');
    return;
  }
  if (url.pathname === '/api/stats') {
    send(response, 200, JSON.stringify({ spansReceived: store.received, traces: store.traces().length }));
    return;
  }
  if (url.pathname === '/api/traces') {
    const limit = Number(url.searchParams.get('limit') ?? 100);
    const traces = store.traces({
      rootService: url.searchParams.get('root') ?? undefined,
      service: url.searchParams.get('service') ?? undefined,
      limit: Number.isInteger(limit) && limit > 0 ? limit : 100,
    });
    send(response, 200, JSON.stringify({ traces }));
    return;
  }
  const match = /^\/api\/traces\/([0-9a-fA-F]{32})$/.exec(url.pathname);
  if (match?.[1]) {
    const spans = store.trace(match[1]);
    if (!spans) {
      send(response, 404, JSON.stringify({ message: `no trace ${match[1]} here (only recent traces are kept)` }));
      return;
    }
    const rows = waterfallRows(spans, url.searchParams.get('hops') === '1' ? isHop : undefined);
    send(response, 200, JSON.stringify({ summary: summarize(match[1].toLowerCase(), spans), rows }));
    return;
  }
  send(response, 404, JSON.stringify({ message: 'not found' }));
}

export async function startTraceCollector(options: TraceCollectorOptions = {}): Promise<TraceCollector> {
  const store = new TraceStore(options);
  const server: Server = createServer((request, response) => {
    handle(store, request, response).catch((error: unknown) => send(response, 500, JSON.stringify({ message: String(error) })));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  return {
    store,
    url,
    otlpEndpoint: url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A trace from a running collector (the `trace` command): by id, or the latest one the gateway started. */
export async function fetchTrace(
  collectorUrl: string,
  traceId?: string,
): Promise<{ spans: Parameters<typeof waterfallRows>[0] } | { missing: string }> {
  let id = traceId;
  if (!id) {
    const response = await fetch(`${collectorUrl}/api/traces?root=gateway&limit=1`);
    const { traces } = (await response.json()) as { traces: { traceId: string }[] };
    id = traces[0]?.traceId;
    if (!id) return { missing: 'no trace started at the gateway yet; send it a request first' };
  }
  const response = await fetch(`${collectorUrl}/api/traces/${id}`);
  if (response.status === 404) return { missing: `no trace ${id} in the collector (it keeps recent traces only)` };
  const { rows } = (await response.json()) as { rows: { span: Parameters<typeof waterfallRows>[0][number] }[] };
  return { spans: rows.map((row) => row.span) };
}
