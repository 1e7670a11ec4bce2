import { parseArgs } from 'node:util';
import { fetchTrace, startTraceCollector } from './trace-collector';
import { renderWaterfall } from './waterfall';

/** Where `npm start` runs its trace collector and viewer unless TRACES_PORT moves it. */
export const DEFAULT_TRACES_PORT = 4318;

export function tracesPortFromEnv(): number {
  const value = process.env.TRACES_PORT;
  const port = value ? Number(value) : DEFAULT_TRACES_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`TRACES_PORT must be a port number, got "${value}"`);
  return port;
}

/**
 * `npm run -s trace [-- <trace id | traceparent>] [--hops]`: one trace as a text waterfall; `--hops`
 * leaves out database and internal spans.
 */
export async function printTrace(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { url: { type: 'string' }, hops: { type: 'boolean' } },
  });
  const collector = values.url ?? `http://127.0.0.1:${tracesPortFromEnv()}`;
  const given = positionals[0];
  // A bare trace id, an x-trace-id header value or a whole traceparent.
  const traceId = given === undefined ? undefined : /(?:^|-)([0-9a-f]{32})(?:-|$)/i.exec(given)?.[1];
  if (given !== undefined && traceId === undefined) {
    process.stderr.write(`"${given}" is not a trace id (32 hex digits) or a traceparent\n`);
    return 2;
  }
  let result: Awaited<ReturnType<typeof fetchTrace>>;
  try {
    result = await fetchTrace(collector, traceId);
  } catch {
    process.stderr.write(`no trace viewer answers at ${collector}: is \`npm start\` running? (TRACES_PORT moves it)\n`);
    return 1;
  }
  if ('missing' in result) {
    process.stderr.write(`${result.missing}\n`);
    return 1;
  }
  const options = { width: process.stdout.columns ?? 140, color: process.stdout.isTTY, hopsOnly: values.hops ?? false };
  process.stdout.write(renderWaterfall(result.spans, options));
  process.stdout.write(`\nin the browser: ${collector.replace('127.0.0.1', 'localhost')}/#${result.spans[0]?.traceId ?? ''}\n`);
  return 0;
}

/** `pnpm stack collector [--port n]`: the trace collector and viewer alone, for processes you start yourself. */
export async function serveTraces(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' } } });
  const collector = await startTraceCollector({ port: values.port === undefined ? tracesPortFromEnv() : Number(values.port) });
  process.stdout.write(`trace viewer on ${collector.url}; point OTEL_EXPORTER_OTLP_ENDPOINT=${collector.otlpEndpoint} at it\n`);
  const stop = () => void collector.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
