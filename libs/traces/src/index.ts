export { startTraceCollector, fetchTrace, type TraceCollector, type TraceCollectorOptions } from './trace-collector';
export { TraceStore, spansFromOtlp, summarize, type CollectedSpan, type TraceSummary } from './trace-store';
export { renderWaterfall, waterfallRows, describeSpan, type WaterfallRow } from './waterfall';
export { DEFAULT_TRACES_PORT, printTrace, serveTraces, tracesPortFromEnv } from './trace-cli';
