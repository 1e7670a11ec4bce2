/**
 * Spans received over OTLP/HTTP JSON, kept in memory per trace for the local trace viewer. Only the
 * recent traces are kept: the oldest trace goes when a new one would exceed the limit.
 */

export type AttributeValue = string | number | boolean | readonly AttributeValue[] | null;
type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export interface CollectedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Absent for a root span. */
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: SpanKindName;
  /** `service.name` of the process that made it. */
  readonly service: string;
  /** Epoch milliseconds, with sub-millisecond precision. */
  readonly startTimeMs: number;
  readonly durationMs: number;
  readonly status: 'unset' | 'ok' | 'error';
  readonly statusMessage?: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly events: readonly { name: string; timeMs: number; attributes: Readonly<Record<string, AttributeValue>> }[];
  readonly links: readonly { traceId: string; spanId: string }[];
}

export interface TraceSummary {
  readonly traceId: string;
  /** The earliest span without a parent in this trace (the parent of a root may never arrive). */
  readonly root: { readonly service: string; readonly name: string };
  readonly services: readonly string[];
  readonly spanCount: number;
  readonly errorCount: number;
  readonly startTimeMs: number;
  /** From the first span's start to the last span's end. */
  readonly durationMs: number;
}

/** Malformed OTLP: the collector answers 400 with the message. */
export class OtlpFormatError extends Error {
  override readonly name = 'OtlpFormatError';
}

const KINDS: Record<string, SpanKindName> = {
  '0': 'internal',
  '1': 'internal',
  '2': 'server',
  '3': 'client',
  '4': 'producer',
  '5': 'consumer',
  SPAN_KIND_UNSPECIFIED: 'internal',
  SPAN_KIND_INTERNAL: 'internal',
  SPAN_KIND_SERVER: 'server',
  SPAN_KIND_CLIENT: 'client',
  SPAN_KIND_PRODUCER: 'producer',
  SPAN_KIND_CONSUMER: 'consumer',
};

interface OtlpKeyValue {
  key?: unknown;
  value?: OtlpAnyValue;
}
interface OtlpAnyValue {
  stringValue?: unknown;
  boolValue?: unknown;
  intValue?: unknown;
  doubleValue?: unknown;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: unknown;
}

function anyValue(value: OtlpAnyValue | undefined): AttributeValue {
  if (!value || typeof value !== 'object') return null;
  if (typeof value.stringValue === 'string') return value.stringValue;
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(anyValue);
  if (value.kvlistValue) return JSON.stringify(attributes(value.kvlistValue.values));
  if (typeof value.bytesValue === 'string') return value.bytesValue;
  return null;
}

function attributes(list: unknown): Record<string, AttributeValue> {
  const result: Record<string, AttributeValue> = {};
  if (!Array.isArray(list)) return result;
  for (const entry of list as OtlpKeyValue[]) {
    if (typeof entry?.key === 'string') result[entry.key] = anyValue(entry.value);
  }
  return result;
}

/** OTLP/JSON ids are hex; a protobuf-style base64 id is accepted too. */
function id(value: unknown, bytes: number, what: string): string {
  if (typeof value !== 'string') throw new OtlpFormatError(`${what} is missing`);
  const hex = value.toLowerCase();
  if (new RegExp(`^[0-9a-f]{${bytes * 2}}$`).test(hex)) return hex;
  const decoded = Buffer.from(value, 'base64');
  if (decoded.length === bytes) return decoded.toString('hex');
  throw new OtlpFormatError(`${what} ${JSON.stringify(value)} is not ${bytes} bytes of hex`);
}

/** Epoch nanoseconds (a string or number in OTLP/JSON) to milliseconds, exact to the microsecond. */
function nanosToMs(value: unknown, what: string): number {
  if ((typeof value !== 'string' && typeof value !== 'number') || !/^\d+$/.test(String(value))) {
    throw new OtlpFormatError(`${what} is not a time in nanoseconds`);
  }
  return Number(BigInt(value) / 1_000n) / 1_000;
}

/** An enum of OTLP/JSON: a number, or its name as a string. */
function scalar(value: unknown): string | undefined {
  return typeof value === 'number' || typeof value === 'string' ? String(value) : undefined;
}

/** Turns one OTLP ExportTraceServiceRequest (JSON) into spans. */
export function spansFromOtlp(request: unknown): CollectedSpan[] {
  if (!request || typeof request !== 'object' || !Array.isArray((request as { resourceSpans?: unknown }).resourceSpans)) {
    throw new OtlpFormatError('expected an OTLP ExportTraceServiceRequest with resourceSpans');
  }
  const spans: CollectedSpan[] = [];
  for (const resourceSpans of (request as { resourceSpans: { resource?: { attributes?: unknown }; scopeSpans?: unknown }[] })
    .resourceSpans) {
    const resource = attributes(resourceSpans?.resource?.attributes);
    const service = typeof resource['service.name'] === 'string' ? resource['service.name'] : 'unknown';
    const scopes = Array.isArray(resourceSpans?.scopeSpans) ? (resourceSpans.scopeSpans as { spans?: unknown }[]) : [];
    for (const scope of scopes) {
      for (const raw of Array.isArray(scope?.spans) ? (scope.spans as Record<string, unknown>[]) : []) {
        const startTimeMs = nanosToMs(raw.startTimeUnixNano, 'startTimeUnixNano');
        const endTimeMs = nanosToMs(raw.endTimeUnixNano ?? raw.startTimeUnixNano, 'endTimeUnixNano');
        const status = (raw.status ?? {}) as { code?: unknown; message?: unknown };
        const statusCode = scalar(status.code) ?? '0';
        const parent = raw.parentSpanId;
        spans.push({
          traceId: id(raw.traceId, 16, 'traceId'),
          spanId: id(raw.spanId, 8, 'spanId'),
          ...(typeof parent === 'string' && parent !== '' ? { parentSpanId: id(parent, 8, 'parentSpanId') } : {}),
          name: typeof raw.name === 'string' ? raw.name : '(unnamed)',
          kind: KINDS[scalar(raw.kind) ?? '1'] ?? 'internal',
          service,
          startTimeMs,
          durationMs: Math.max(0, endTimeMs - startTimeMs),
          status:
            statusCode === '2' || statusCode === 'STATUS_CODE_ERROR'
              ? 'error'
              : statusCode === '1' || statusCode === 'STATUS_CODE_OK'
                ? 'ok'
                : 'unset',
          ...(typeof status.message === 'string' && status.message ? { statusMessage: status.message } : {}),
          attributes: attributes(raw.attributes),
          events: (Array.isArray(raw.events) ? (raw.events as Record<string, unknown>[]) : []).map((event) => ({
            name: typeof event.name === 'string' ? event.name : '',
            timeMs: nanosToMs(event.timeUnixNano ?? raw.startTimeUnixNano, 'event timeUnixNano'),
            attributes: attributes(event.attributes),
          })),
          links: (Array.isArray(raw.links) ? (raw.links as Record<string, unknown>[]) : []).map((link) => ({
            traceId: id(link.traceId, 16, 'link traceId'),
            spanId: id(link.spanId, 8, 'link spanId'),
          })),
        });
      }
    }
  }
  return spans;
}

export interface TraceStoreOptions {
  /** Traces kept; the oldest goes first. */
  readonly maxTraces?: number;
  /** Spans kept per trace; later ones are dropped (a runaway loop must not eat the memory). */
  readonly maxSpansPerTrace?: number;
}

export class TraceStore {
  private readonly byTrace = new Map<string, CollectedSpan[]>();
  private readonly maxTraces: number;
  private readonly maxSpansPerTrace: number;
  private readonly listeners = new Set<(spans: readonly CollectedSpan[]) => void>();
  /** Spans received since the start, kept or not. */
  received = 0;

  constructor(options: TraceStoreOptions = {}) {
    this.maxTraces = options.maxTraces ?? 500;
    this.maxSpansPerTrace = options.maxSpansPerTrace ?? 5_000;
  }

  /** Adds the spans of one OTLP export; returns how many were kept. */
  ingest(request: unknown): number {
    return this.add(spansFromOtlp(request));
  }

  add(spans: readonly CollectedSpan[]): number {
    this.received += spans.length;
    let kept = 0;
    for (const span of spans) {
      let trace = this.byTrace.get(span.traceId);
      if (!trace) {
        trace = [];
        this.byTrace.set(span.traceId, trace);
        if (this.byTrace.size > this.maxTraces) this.byTrace.delete(this.byTrace.keys().next().value as string);
      }
      if (trace.length >= this.maxSpansPerTrace) continue;
      trace.push(span);
      kept += 1;
    }
    for (const listener of this.listeners) listener(spans);
    return kept;
  }

  /** Calls `listener` with every batch added from now on; returns the function that stops it. */
  onSpans(listener: (spans: readonly CollectedSpan[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The spans of one trace, earliest first. */
  trace(traceId: string): CollectedSpan[] | undefined {
    const spans = this.byTrace.get(traceId.toLowerCase());
    return spans ? [...spans].sort((a, b) => a.startTimeMs - b.startTimeMs) : undefined;
  }

  /** Every span kept, of every trace. */
  spans(): CollectedSpan[] {
    return [...this.byTrace.values()].flat();
  }

  /** Most recent first; `rootService` keeps the traces a given process started (e.g. "gateway"). */
  traces(filter: { rootService?: string | undefined; service?: string | undefined; limit?: number } = {}): TraceSummary[] {
    const summaries: TraceSummary[] = [];
    for (const [traceId, spans] of this.byTrace) {
      const summary = summarize(traceId, spans);
      if (filter.rootService && summary.root.service !== filter.rootService) continue;
      if (filter.service && !summary.services.includes(filter.service)) continue;
      summaries.push(summary);
    }
    summaries.sort((a, b) => b.startTimeMs - a.startTimeMs);
    return summaries.slice(0, filter.limit ?? summaries.length);
  }

  clear(): void {
    this.byTrace.clear();
  }
}

export function summarize(traceId: string, unordered: readonly CollectedSpan[]): TraceSummary {
  const spans = [...unordered].sort((a, b) => a.startTimeMs - b.startTimeMs);
  const ids = new Set(spans.map((span) => span.spanId));
  let root: CollectedSpan | undefined;
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  const services: string[] = [];
  let errorCount = 0;
  for (const span of spans) {
    start = Math.min(start, span.startTimeMs);
    end = Math.max(end, span.startTimeMs + span.durationMs);
    if (!services.includes(span.service)) services.push(span.service);
    if (span.status === 'error') errorCount += 1;
    const isRoot = span.parentSpanId === undefined || !ids.has(span.parentSpanId);
    if (isRoot && (!root || span.startTimeMs < root.startTimeMs)) root = span;
  }
  return {
    traceId,
    root: { service: root?.service ?? 'unknown', name: root?.name ?? '(no spans)' },
    services,
    spanCount: spans.length,
    errorCount,
    startTimeMs: Number.isFinite(start) ? start : 0,
    durationMs: Math.max(0, end - start),
  };
}
