import { summarize, type AttributeValue, type CollectedSpan } from './trace-store';

/** A span in display order: parents before children, siblings by start time. */
export interface WaterfallRow {
  readonly span: CollectedSpan;
  readonly depth: number;
  /** What the name leaves out: the query, the URL, the status code, the consumer. */
  readonly detail: string;
  /** Milliseconds from the trace's first span. */
  readonly offsetMs: number;
}

function text(value: AttributeValue | undefined): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function shorten(value: string, max: number): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** The most telling attribute of a span, for one line. */
export function describeSpan(span: CollectedSpan): string {
  const a = span.attributes;
  const query = text(a['db.query.text']) ?? text(a['db.statement']);
  if (query) return shorten(query, 80);
  const prismaOperation = text(a.name) ?? (text(a.model) && text(a.method) ? `${text(a.model)}.${text(a.method)}` : undefined);
  if (span.name.startsWith('prisma:') && prismaOperation) return prismaOperation;
  const parts: string[] = [];
  const url = text(a['url.full']);
  if (url && span.kind === 'client') parts.push(url.replace(/^https?:\/\/[^/]+/, ''));
  const status = text(a['http.response.status_code']) ?? text(a['rpc.grpc.status_code']);
  if (status !== undefined) parts.push(a['http.response.status_code'] === undefined ? `status ${status}` : `→ ${status}`);
  const consumer = text(a['messaging.consumer.group.name']);
  if (consumer) parts.push(`consumer ${consumer}`);
  if (span.status === 'error' && span.statusMessage) parts.push(span.statusMessage);
  return parts.join(' ');
}

/** Requests, calls, publishes and deliveries: the spans that cross a process boundary (not database queries). */
export function isHop(span: CollectedSpan): boolean {
  return span.kind !== 'internal' && !span.name.startsWith('prisma:') && span.attributes['db.system.name'] === undefined;
}

/**
 * Orders a trace's spans as a tree. Spans whose parent never arrived are shown as roots. With
 * `visible`, the other spans are left out and their children move up to the nearest shown ancestor.
 */
export function waterfallRows(spans: readonly CollectedSpan[], visible: (span: CollectedSpan) => boolean = () => true): WaterfallRow[] {
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string | undefined, CollectedSpan[]>();
  for (const span of spans) {
    const parent = span.parentSpanId !== undefined && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    const siblings = children.get(parent) ?? [];
    siblings.push(span);
    children.set(parent, siblings);
  }
  for (const siblings of children.values()) siblings.sort((a, b) => a.startTimeMs - b.startTimeMs);
  const start = Math.min(...spans.map((span) => span.startTimeMs));
  const rows: WaterfallRow[] = [];
  const visit = (parent: string | undefined, depth: number) => {
    for (const span of children.get(parent) ?? []) {
      if (!visible(span)) {
        visit(span.spanId, depth);
        continue;
      }
      rows.push({ span, depth, detail: describeSpan(span), offsetMs: span.startTimeMs - start });
      visit(span.spanId, depth + 1);
    }
  };
  visit(undefined, 0);
  return rows;
}

function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/**
 * A trace as text, one line per span: service, name and detail indented by depth, duration, and a
 * bar placed on the trace's time line.
 *
 *   gateway    POST /api/orders → 201                                   41.9 ms  ███▌
 *   gateway      catalog.v1.CatalogService/GetProductsByIds status 0      5.2 ms   ▌
 */
export function renderWaterfall(
  spans: readonly CollectedSpan[],
  options: { width?: number; color?: boolean; hopsOnly?: boolean } = {},
): string {
  if (spans.length === 0) return 'no spans\n';
  const width = Math.max(options.width ?? 120, 60);
  const color = options.color ?? false;
  const summary = summarize(spans[0]?.traceId ?? '', spans);
  const rows = waterfallRows(spans, options.hopsOnly ? isHop : undefined);
  const serviceWidth = Math.max(...rows.map((row) => row.span.service.length));
  const durationWidth = 9;
  const barWidth = Math.max(20, Math.floor(width * 0.3));
  const labelWidth = width - serviceWidth - durationWidth - barWidth - 4;
  const total = summary.durationMs || 1;
  const paint = (code: string, value: string) => (color ? `\x1b[${code}m${value}\x1b[0m` : value);

  const lines = [
    `trace ${summary.traceId}`,
    `${summary.spanCount} spans${options.hopsOnly ? ` (${rows.length} hops shown)` : ''} · ${summary.services.join(', ')} · ${formatMs(summary.durationMs)} · ` +
      `${new Date(summary.startTimeMs).toISOString()}${summary.errorCount ? ` · ${summary.errorCount} failed` : ''}`,
    '',
  ];
  for (const row of rows) {
    const label = `${'  '.repeat(row.depth)}${row.span.name}${row.detail ? ` ${row.detail}` : ''}${row.span.status === 'error' ? ' ✗' : ''}`;
    const fitted = label.length > labelWidth ? `${label.slice(0, labelWidth - 1)}…` : label.padEnd(labelWidth);
    // Eighths of a character, so short spans still show where they sit.
    const from = Math.floor((row.offsetMs / total) * barWidth * 8);
    const length = Math.max(1, Math.round((row.span.durationMs / total) * barWidth * 8));
    const bar = barCells(from, length, barWidth);
    const line = `${row.span.service.padEnd(serviceWidth)}  ${fitted} ${formatMs(row.span.durationMs).padStart(durationWidth)}  ${bar}`;
    lines.push(row.span.status === 'error' ? paint('31', line) : line);
  }
  return `${lines.join('\n')}\n`;
}

const PARTIAL = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

function barCells(fromEighths: number, lengthEighths: number, cells: number): string {
  const startCell = Math.min(cells - 1, Math.floor(fromEighths / 8));
  const full = Math.floor(lengthEighths / 8);
  const rest = lengthEighths % 8;
  const body = '█'.repeat(full) + (PARTIAL[rest] ?? '');
  return (' '.repeat(startCell) + (body || '▏')).slice(0, cells).trimEnd();
}
