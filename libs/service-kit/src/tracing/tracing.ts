import {
  type Attributes,
  type Context,
  type Link,
  SpanKind,
  type Tracer,
  context,
  isSpanContextValid,
  propagation,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  type Sampler,
  SamplingDecision,
  type SamplingResult,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { PrismaInstrumentation } from '@prisma/instrumentation';

/*
 * Tracing is set up once per process by the shared bootstrap. Spans are made explicitly at our own
 * seams (the fastify hook, the gRPC interceptor, callHttp, callUnary, the outbox relay, the event
 * consumer) with the OpenTelemetry API, not by require-hook auto-instrumentation: Nest 12 ships ES
 * modules loaded through require(esm), which those hooks do not reliably see, and six seams cover
 * every hop. Prisma's spans come from @prisma/instrumentation, which registers a global the
 * generated client looks up on every query (no require hook involved).
 *
 * Without OTEL_EXPORTER_OTLP_ENDPOINT no SDK is installed: the API's no-op tracer then hands back
 * the caller's span context unchanged, so trace context still flows through every hop (headers,
 * metadata, the outbox, NATS) while spans cost next to nothing and nothing is exported.
 */

const TRACER_NAME = '@storefront/service-kit';

export function tracer(name = TRACER_NAME): Tracer {
  return trace.getTracer(name);
}

let propagationInstalled = false;

/** The context manager and the W3C propagator: needed even when no span is exported. */
export function installTracePropagation(): void {
  if (propagationInstalled) return;
  propagationInstalled = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

/**
 * Keeps a root span only when it starts a unit of work someone asked for (a request, a message, a
 * publish). Database spans of background loops (the saga sweeper, readiness checks) would otherwise
 * each be a trace of their own and bury the ones that matter. Children follow their parent.
 */
export class UnitOfWorkRootSampler implements Sampler {
  private static readonly ROOT_KINDS = new Set<SpanKind>([SpanKind.SERVER, SpanKind.CONSUMER, SpanKind.PRODUCER]);

  shouldSample(_context: Context, _traceId: string, _name: string, kind: SpanKind, _attributes: Attributes, _links: Link[]): SamplingResult {
    return { decision: UnitOfWorkRootSampler.ROOT_KINDS.has(kind) ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD };
  }

  toString(): string {
    return 'UnitOfWorkRootSampler';
  }
}

export interface Tracing {
  /** Whether spans are recorded and exported. */
  readonly exporting: boolean;
  /** Sends what is still buffered and stops exporting. */
  shutdown(): Promise<void>;
}

/** Where spans go, by the standard variables: the traces endpoint as given, or `<endpoint>/v1/traces`. */
export function tracesUrl(env: NodeJS.ProcessEnv): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Starts tracing for a process named `service`. Exports over OTLP/HTTP (JSON) when
 * OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, with the standard OTEL_*
 * variables honoured by the SDK (OTEL_BSP_SCHEDULE_DELAY, OTEL_TRACES_SAMPLER, headers, ...).
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): Tracing {
  installTracePropagation();
  const url = tracesUrl(env);
  if (!url || env.OTEL_SDK_DISABLED === 'true') return { exporting: false, shutdown: () => Promise.resolve() };

  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: service, 'service.namespace': 'storefront' })),
    // OTEL_TRACES_SAMPLER, when set, is the operator's choice and wins.
    ...(env.OTEL_TRACES_SAMPLER ? {} : { sampler: new ParentBasedSampler({ root: new UnitOfWorkRootSampler() }) }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  });
  trace.setGlobalTracerProvider(provider);
  // Enabled by hand once it knows the provider (enabling installs the global the Prisma client reads).
  // Serialization spans (a tenth of a millisecond each, several per query) only add noise.
  const prisma = new PrismaInstrumentation({ enabled: false, ignoreSpanTypes: ['prisma:client:serialize'] });
  prisma.setTracerProvider(provider);
  prisma.enable();
  return {
    exporting: true,
    shutdown: async () => {
      prisma.disable();
      await provider.shutdown();
    },
  };
}

/** `trace_id` and `span_id` of the active span, for log lines; empty outside a span. */
export function activeTraceFields(): { trace_id?: string; span_id?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/** The trace id of the active span, if there is one. */
export function activeTraceId(): string | undefined {
  return activeTraceFields().trace_id;
}
