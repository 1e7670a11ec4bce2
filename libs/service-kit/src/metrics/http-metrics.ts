import type { FastifyInstance } from 'fastify';
import { Histogram, register } from 'prom-client';

function histogram(name: string, help: string, labelNames: string[]): Histogram {
  return (
    (register.getSingleMetric(name) as Histogram | undefined) ??
    new Histogram({ name, help, labelNames, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] })
  );
}

/** Every HTTP request served, by route template (not raw URL, which would explode the labels). */
const httpRequestDuration = (): Histogram =>
  histogram('http_server_request_duration_seconds', 'HTTP requests served, by method, route and status', ['method', 'route', 'status']);

/** Every call to another service, by downstream, operation and outcome (ok or an error code). */
export const downstreamCallDuration = (): Histogram =>
  histogram('storefront_downstream_call_duration_seconds', 'Calls to other services, by downstream, operation and outcome', [
    'downstream',
    'operation',
    'outcome',
  ]);

/** Records request rate, errors and duration per route of a fastify instance. */
export function instrumentHttp(fastify: FastifyInstance): void {
  const duration = httpRequestDuration();
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (!route.startsWith('/metrics') && !route.startsWith('/health')) {
      duration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1_000);
    }
    done();
  });
}
