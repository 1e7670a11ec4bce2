import {
  context,
  isSpanContextValid,
  propagation,
  SpanKind,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { PrismaInstrumentation } from '@prisma/instrumentation';
import { z } from 'zod';

/*
 * Tracing is set up once per process by the shared bootstrap. Spans are made explicitly at our own
 * seams (the fastify hook, the gRPC interceptor, callHttp, callUnary, the outbox relay, the event
 * consumer) with the OpenTelemetry API, not by require-hook auto-instrumentation: Nest 12 ships ES
 * modules loaded through require(esm), which those hooks do not reliably see, and six seams cover
 * every hop. Prisma's spans come from @prisma/instrumentation, which registers a global the
 * generated client looks up on every query (no require hook involved).
 *
 * The SDK is NodeTracerProvider with one batch processor, not NodeSDK: NodeSDK loads every exporter
 * and propagator it supports (+197 modules, +5–20 MB RSS per process) for the same cost per span
 * (measured; docs/bench.md).
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
 * publish), and of those a share `ratio` chosen by trace id (every process decides the same for one
 * trace id). Database spans of background loops (the saga sweeper, readiness checks) would otherwise
 * each be a trace of their own and bury the ones that matter. Children follow their parent (the
 * ParentBasedSampler around it), so a trace is kept or dropped whole, across every service.
 */
export class UnitOfWorkRootSampler implements Sampler {
  private static readonly ROOT_KINDS = new Set<SpanKind>([SpanKind.SERVER, SpanKind.CONSUMER, SpanKind.PRODUCER]);
  private readonly share: Sampler;

  constructor(private readonly ratio = 1) {
    this.share = new TraceIdRatioBasedSampler(ratio);
  }

  shouldSample(context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    if (!UnitOfWorkRootSampler.ROOT_KINDS.has(kind)) return { decision: SamplingDecision.NOT_RECORD };
    return this.ratio >= 1
      ? { decision: SamplingDecision.RECORD_AND_SAMPLED }
      : this.share.shouldSample(context, traceId, name, kind, attributes, links);
  }

  toString(): string {
    return `UnitOfWorkRootSampler{ratio=${this.ratio}}`;
  }
}

/** An empty variable (a ConfigMap key left blank) means unset. */
const unsetWhenEmpty = (value: unknown) => (value === '' ? undefined : value);
const flag = z.preprocess(
  unsetWhenEmpty,
  z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
);

/**
 * How much is traced. Defaults differ by NODE_ENV: in development every trace and every query (the
 * viewer is for reading them); in production a share of the traces and no query spans, because
 * spans cost CPU on every hop (measured in docs/bench.md: about a quarter of an order's CPU when
 * everything was recorded).
 */
export const tracingConfigSchema = z.object({
  /** Share of new traces recorded (0 to 1); unset: 1, in production 0.05. */
  TRACES_SAMPLE_RATIO: z.preprocess(unsetWhenEmpty, z.coerce.number().min(0).max(1).optional()),
  /** Spans for each database query, through Prisma or SqlDatabase ("true"/"false"); unset: true, in production false. */
  TRACE_DATABASE_QUERIES: flag,
});

export interface TracingSettings {
  readonly sampleRatio: number;
  readonly databaseQueries: boolean;
}

/** The settings the environment asks for, with the defaults of its NODE_ENV. */
export function tracingSettings(env: NodeJS.ProcessEnv): TracingSettings {
  const parsed = tracingConfigSchema.parse(env);
  const production = env.NODE_ENV === 'production';
  return {
    sampleRatio: parsed.TRACES_SAMPLE_RATIO ?? (production ? 0.05 : 1),
    databaseQueries: parsed.TRACE_DATABASE_QUERIES ?? !production,
  };
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

  const settings = tracingSettings(env);
  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: service, 'service.namespace': 'storefront' })),
    // OTEL_TRACES_SAMPLER, when set, is the operator's choice and wins.
    ...(env.OTEL_TRACES_SAMPLER ? {} : { sampler: new ParentBasedSampler({ root: new UnitOfWorkRootSampler(settings.sampleRatio) }) }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  });
  trace.setGlobalTracerProvider(provider);
  // Enabled by hand once it knows the provider (enabling installs the global the Prisma client reads).
  // Serialization spans (a tenth of a millisecond each, several per query) only add noise.
  const prisma = settings.databaseQueries
    ? new PrismaInstrumentation({ enabled: false, ignoreSpanTypes: ['prisma:client:serialize'] })
    : undefined;
  prisma?.setTracerProvider(provider);
  prisma?.enable();
  return {
    exporting: true,
    shutdown: async () => {
      prisma?.disable();
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
