import { OtlpFormatError, spansFromOtlp, TraceStore } from './trace-store';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const OTHER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

/** One OTLP/JSON export as @opentelemetry/exporter-trace-otlp-http sends it. */
function exportOf(service: string, spans: Record<string, unknown>[]) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ scope: { name: 'test' }, spans }],
      },
    ],
  };
}

function span(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    traceId: TRACE,
    spanId: 'b7ad6b7169203331',
    name: 'GET /api/products',
    kind: 2,
    startTimeUnixNano: '1795336350000000000',
    endTimeUnixNano: '1795336350012500000',
    attributes: [],
    status: { code: 0 },
    ...overrides,
  };
}

describe('spansFromOtlp', () => {
  it('reads ids, kind, service, times in milliseconds, attributes of every type, events and status', () => {
    const [decoded] = spansFromOtlp(
      exportOf('gateway', [
        span({
          parentSpanId: '00f067aa0ba902b7',
          attributes: [
            { key: 'http.route', value: { stringValue: '/api/products' } },
            { key: 'http.response.status_code', value: { intValue: '503' } },
            { key: 'ratio', value: { doubleValue: 0.5 } },
            { key: 'retried', value: { boolValue: true } },
            { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 2 }] } } },
          ],
          events: [
            {
              name: 'exception',
              timeUnixNano: '1795336350010000000',
              attributes: [{ key: 'exception.message', value: { stringValue: 'boom' } }],
            },
          ],
          status: { code: 2, message: 'catalog is unavailable' },
        }),
      ]),
    );
    expect(decoded).toEqual({
      traceId: TRACE,
      spanId: 'b7ad6b7169203331',
      parentSpanId: '00f067aa0ba902b7',
      name: 'GET /api/products',
      kind: 'server',
      service: 'gateway',
      startTimeMs: 1795336350000,
      durationMs: 12.5,
      status: 'error',
      statusMessage: 'catalog is unavailable',
      attributes: { 'http.route': '/api/products', 'http.response.status_code': 503, ratio: 0.5, retried: true, tags: ['a', 2] },
      events: [{ name: 'exception', timeMs: 1795336350010, attributes: { 'exception.message': 'boom' } }],
      links: [],
    });
  });

  it('treats an empty parentSpanId as a root and accepts base64 ids', () => {
    const [decoded] = spansFromOtlp(
      exportOf('order', [
        span({
          traceId: Buffer.from(TRACE, 'hex').toString('base64'),
          spanId: Buffer.from('b7ad6b7169203331', 'hex').toString('base64'),
          parentSpanId: '',
        }),
      ]),
    );
    expect(decoded).toMatchObject({ traceId: TRACE, spanId: 'b7ad6b7169203331' });
    expect(decoded?.parentSpanId).toBeUndefined();
  });

  it('refuses what is not an OTLP export, or a span without a valid id', () => {
    expect(() => spansFromOtlp({ spans: [] })).toThrow(OtlpFormatError);
    expect(() => spansFromOtlp(exportOf('order', [span({ traceId: 'not-hex' })]))).toThrow(/traceId/);
    expect(() => spansFromOtlp(exportOf('order', [span({ startTimeUnixNano: 'soon' })]))).toThrow(/startTimeUnixNano/);
  });
});

describe('TraceStore', () => {
  it('groups spans by trace and summarizes each: root, services, span and error counts, extent', () => {
    const store = new TraceStore();
    store.ingest(exportOf('gateway', [span({ spanId: '0000000000000001', name: 'POST /api/orders' })]));
    store.ingest(
      exportOf('order', [
        span({
          spanId: '0000000000000002',
          parentSpanId: '0000000000000001',
          name: 'POST /orders',
          startTimeUnixNano: '1795336350005000000',
          endTimeUnixNano: '1795336350030000000',
          status: { code: 2 },
        }),
      ]),
    );
    expect(store.traces()).toEqual([
      {
        traceId: TRACE,
        root: { service: 'gateway', name: 'POST /api/orders' },
        services: ['gateway', 'order'],
        spanCount: 2,
        errorCount: 1,
        startTimeMs: 1795336350000,
        durationMs: 30,
      },
    ]);
    expect(store.trace(TRACE.toUpperCase())?.map((kept) => kept.name)).toEqual(['POST /api/orders', 'POST /orders']);
  });

  it('lists the newest trace first and filters by the service that started it', () => {
    const store = new TraceStore();
    store.ingest(exportOf('gateway', [span({ traceId: TRACE })]));
    store.ingest(
      exportOf('order', [
        span({
          traceId: OTHER_TRACE,
          name: 'publish orders.order-placed.v1',
          kind: 4,
          startTimeUnixNano: '1795336360000000000',
          endTimeUnixNano: '1795336360000000000',
        }),
      ]),
    );
    expect(store.traces().map((summary) => summary.traceId)).toEqual([OTHER_TRACE, TRACE]);
    expect(store.traces({ rootService: 'gateway' }).map((summary) => summary.traceId)).toEqual([TRACE]);
    expect(store.traces({ limit: 1 })).toHaveLength(1);
  });

  it('keeps only the most recent traces, and a bounded number of spans per trace', () => {
    const store = new TraceStore({ maxTraces: 2, maxSpansPerTrace: 3 });
    const ids = ['1', '2', '3'].map((digit) => digit.repeat(32));
    for (const traceId of ids) store.ingest(exportOf('gateway', [span({ traceId })]));
    expect(store.trace(ids[0] as string)).toBeUndefined();
    expect(store.traces()).toHaveLength(2);

    const spans = Array.from({ length: 5 }, (_, index) => span({ traceId: ids[2], spanId: `000000000000000${index}` }));
    expect(store.ingest(exportOf('gateway', spans))).toBe(2);
    expect(store.trace(ids[2] as string)).toHaveLength(3);
  });
});
