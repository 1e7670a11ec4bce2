import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { startTracing } from '@storefront/service-kit';
import { fetchTrace, renderWaterfall, startTraceCollector, type TraceCollector } from '@storefront/traces';

/** The collector against the real exporter the services use: what goes over the wire is real OTLP/JSON. */
describe('trace collector', () => {
  let collector: TraceCollector;
  let traceId: string;

  beforeAll(async () => {
    collector = await startTraceCollector();
    const tracing = startTracing('checkout', { OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpEndpoint });
    const tracer = trace.getTracer('collector-test');
    // Explicit times: spans made within the same microsecond would have no order of their own.
    const t0 = Date.now();
    tracer.startActiveSpan(
      'POST /api/orders',
      { kind: SpanKind.SERVER, attributes: { 'http.route': '/api/orders' }, startTime: t0 },
      (root) => {
        traceId = root.spanContext().traceId;
        const query = tracer.startSpan('prisma:client:db_query', {
          kind: SpanKind.CLIENT,
          attributes: { 'db.query.text': 'SELECT 1' },
          startTime: t0 + 1,
        });
        query.end(t0 + 3);
        const failed = tracer.startSpan('publish orders.order-placed.v1', { kind: SpanKind.PRODUCER, startTime: t0 + 4 }, context.active());
        failed.setStatus({ code: SpanStatusCode.ERROR, message: 'NATS unreachable' });
        failed.end(t0 + 5);
        root.end(t0 + 6);
      },
    );
    // Shutting down sends what the batch processor holds.
    await tracing.shutdown();
  });

  afterAll(async () => {
    await collector.close();
  });

  it('keeps the spans the OTLP exporter sent, with their service, kind, parent and attributes', () => {
    const spans = collector.store.trace(traceId) ?? [];
    expect(spans.map((span) => [span.service, span.kind, span.name])).toEqual([
      ['checkout', 'server', 'POST /api/orders'],
      ['checkout', 'client', 'prisma:client:db_query'],
      ['checkout', 'producer', 'publish orders.order-placed.v1'],
    ]);
    const [root, query, publish] = spans;
    expect(root?.parentSpanId).toBeUndefined();
    expect(query).toMatchObject({ parentSpanId: root?.spanId, attributes: { 'db.query.text': 'SELECT 1' } });
    expect(publish).toMatchObject({ parentSpanId: root?.spanId, status: 'error', statusMessage: 'NATS unreachable' });
  });

  it('lists recent traces and serves one in tree order over its JSON API', async () => {
    const list = (await (await fetch(`${collector.url}/api/traces?root=checkout`)).json()) as {
      traces: { traceId: string; spanCount: number }[];
    };
    expect(list.traces).toEqual([expect.objectContaining({ traceId, spanCount: 3, errorCount: 1 })]);
    const none = (await (await fetch(`${collector.url}/api/traces?root=gateway`)).json()) as { traces: unknown[] };
    expect(none.traces).toEqual([]);

    const one = (await (await fetch(`${collector.url}/api/traces/${traceId}`)).json()) as { rows: { depth: number; detail: string }[] };
    expect(one.rows.map((row) => [row.depth, row.detail])).toEqual([
      [0, ''],
      [1, 'SELECT 1'],
      [1, 'NATS unreachable'],
    ]);
    const hops = (await (await fetch(`${collector.url}/api/traces/${traceId}?hops=1`)).json()) as { rows: { span: { name: string } }[] };
    expect(hops.rows.map((row) => row.span.name)).toEqual(['POST /api/orders', 'publish orders.order-placed.v1']);
    expect((await fetch(`${collector.url}/api/traces/${'f'.repeat(32)}`)).status).toBe(404);
    expect(await (await fetch(`${collector.url}/api/stats`)).json()).toEqual({ spansReceived: 3, traces: 1 });
  });

  it('serves the viewer page', async () => {
    const response = await fetch(collector.url);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('<title>Storefront traces</title>');
  });

  it('refuses protobuf and malformed exports, and keeps nothing of them', async () => {
    const before = collector.store.spans().length;
    const post = (body: string, contentType: string) =>
      fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': contentType }, body });
    expect((await post('\x0a\x00', 'application/x-protobuf')).status).toBe(415);
    expect((await post('{"resourceSpans": [', 'application/json')).status).toBe(400);
    expect(
      (await post(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'x' }] }] }] }), 'application/json')).status,
    ).toBe(400);
    expect(collector.store.spans()).toHaveLength(before);
  });

  it('gives the `trace` command the latest trace of a service, drawn as a waterfall', async () => {
    const fetched = await fetchTrace(collector.url, traceId);
    if ('missing' in fetched) throw new Error(fetched.missing);
    const text = renderWaterfall(fetched.spans, { width: 100 });
    expect(text).toContain(`trace ${traceId}`);
    expect(text).toMatch(/checkout {2}POST \/api\/orders/);
    expect(text).toMatch(/checkout {4}prisma:client:db_query SELECT 1/);
    await expect(fetchTrace(collector.url)).resolves.toEqual({ missing: expect.stringContaining('no trace started at the gateway') });
  });
});
