import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-node';
import { startTracing, tracesUrl, tracingSettings, UnitOfWorkRootSampler } from './tracing';

describe('tracesUrl', () => {
  it('follows the standard variables: the traces endpoint as given, else <endpoint>/v1/traces, else nothing', () => {
    expect(tracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b/traces' })).toBe(
      'http://b/traces',
    );
    expect(tracesUrl({})).toBeUndefined();
  });
});

describe('UnitOfWorkRootSampler', () => {
  const decide = (kind: SpanKind) => new UnitOfWorkRootSampler().shouldSample(ROOT_CONTEXT, 'a'.repeat(32), 'x', kind, {}, []).decision;

  it('starts a trace for a request, a delivered message or a publish', () => {
    for (const kind of [SpanKind.SERVER, SpanKind.CONSUMER, SpanKind.PRODUCER])
      expect(decide(kind)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('starts none for a query or call outside any request (background loops)', () => {
    for (const kind of [SpanKind.INTERNAL, SpanKind.CLIENT]) expect(decide(kind)).toBe(SamplingDecision.NOT_RECORD);
  });
});

describe('UnitOfWorkRootSampler with a ratio', () => {
  const traceIds = Array.from({ length: 2_000 }, (_, index) => (index * 2_654_435_761).toString(16).padStart(32, '0').slice(-32));
  const sampled = (ratio: number) =>
    traceIds.filter(
      (traceId) =>
        new UnitOfWorkRootSampler(ratio).shouldSample(ROOT_CONTEXT, traceId, 'x', SpanKind.SERVER, {}, []).decision ===
        SamplingDecision.RECORD_AND_SAMPLED,
    ).length;

  it('keeps about that share of new traces, none at 0 and all at 1', () => {
    expect(sampled(0)).toBe(0);
    expect(sampled(1)).toBe(traceIds.length);
    expect(sampled(0.05)).toBeGreaterThan(0);
    expect(sampled(0.05)).toBeLessThan(traceIds.length * 0.2);
  });
});

describe('tracingSettings', () => {
  it('records everything in development and a share without query spans in production, unless told otherwise', () => {
    expect(tracingSettings({})).toEqual({ sampleRatio: 1, databaseQueries: true });
    expect(tracingSettings({ NODE_ENV: 'production' })).toEqual({ sampleRatio: 0.05, databaseQueries: false });
    expect(tracingSettings({ NODE_ENV: 'production', TRACES_SAMPLE_RATIO: '1', TRACE_DATABASE_QUERIES: 'true' })).toEqual({
      sampleRatio: 1,
      databaseQueries: true,
    });
  });

  it('refuses a ratio outside 0 to 1 and a flag other than true or false', () => {
    expect(() => tracingSettings({ TRACES_SAMPLE_RATIO: '2' })).toThrow();
    expect(() => tracingSettings({ TRACE_DATABASE_QUERIES: 'yes' })).toThrow();
    // A blank ConfigMap key is no setting, not a ratio of 0.
    expect(tracingSettings({ NODE_ENV: 'production', TRACES_SAMPLE_RATIO: '', TRACE_DATABASE_QUERIES: '' })).toEqual({
      sampleRatio: 0.05,
      databaseQueries: false,
    });
  });
});

describe('startTracing without an OTLP endpoint', () => {
  it('exports nothing and records nothing, yet passes the caller’s trace context on unchanged', async () => {
    const tracing = startTracing('quiet', {});
    expect(tracing.exporting).toBe(false);
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const parent = propagation.extract(ROOT_CONTEXT, { traceparent });
    const span = trace.getTracer('test').startSpan('GET /x', { kind: SpanKind.SERVER }, parent);
    expect(span.isRecording()).toBe(false);
    const carrier: Record<string, string> = {};
    context.with(trace.setSpan(parent, span), () => propagation.inject(context.active(), carrier));
    expect(carrier.traceparent).toBe(traceparent);
    await tracing.shutdown();
  });
});
