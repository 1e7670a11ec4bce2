import { ROOT_CONTEXT, SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-node';
import { UnitOfWorkRootSampler, startTracing, tracesUrl } from './tracing';

describe('tracesUrl', () => {
  it('follows the standard variables: the traces endpoint as given, else <endpoint>/v1/traces, else nothing', () => {
    expect(tracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b/traces' })).toBe('http://b/traces');
    expect(tracesUrl({})).toBeUndefined();
  });
});

describe('UnitOfWorkRootSampler', () => {
  const decide = (kind: SpanKind) => new UnitOfWorkRootSampler().shouldSample(ROOT_CONTEXT, 'a'.repeat(32), 'x', kind, {}, []).decision;

  it('starts a trace for a request, a delivered message or a publish', () => {
    for (const kind of [SpanKind.SERVER, SpanKind.CONSUMER, SpanKind.PRODUCER]) expect(decide(kind)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('starts none for a query or call outside any request (background loops)', () => {
    for (const kind of [SpanKind.INTERNAL, SpanKind.CLIENT]) expect(decide(kind)).toBe(SamplingDecision.NOT_RECORD);
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
