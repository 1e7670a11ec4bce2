import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RequestMethod, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { requestContext } from '../context/request-context';
import { activeTraceFields } from '../tracing/tracing';

/** Trace fields and, while serving a request or message, its id as `reqId` (what pino-http would add). */
function withRequestId(): object {
  const requestId = requestContext.current()?.requestId;
  return requestId === undefined ? activeTraceFields() : { ...activeTraceFields(), reqId: requestId };
}

export const REQUEST_ID_HEADER = 'x-request-id';
const ACCEPTABLE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Fastify's request id generator: keeps the caller's x-request-id when it looks sane, otherwise
 * makes one. pino-http reuses the id fastify assigned, so logs and responses agree.
 */
export function requestIdFor(request: IncomingMessage): string {
  const header = request.headers[REQUEST_ID_HEADER];
  return typeof header === 'string' && ACCEPTABLE_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * JSON logs through pino; every line logged while serving a request carries its id as `reqId`, and
 * every line logged inside a span its `trace_id` and `span_id`.
 */
export function loggingModule(options: { service: string; level: string; accessLog: boolean }): DynamicModule {
  return LoggerModule.forRoot({
    // Explicit: the library's default route pattern does not match under Nest 12's fastify adapter.
    // Without an access log, pino-http's middleware (a child logger per request) is left out: the
    // mixin puts the request id on every line from the request context instead.
    forRoutes: options.accessLog ? [{ path: '{*splat}', method: RequestMethod.ALL }] : [],
    pinoHttp: {
      level: options.level,
      base: { service: options.service },
      mixin: options.accessLog ? activeTraceFields : withRequestId,
      // Every log line made while serving a request carries `reqId`, and nothing else of the request.
      quietReqLogger: true,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      // Probes every few seconds would drown the log. Middleware sees a mount-relative url, so
      // read the original one.
      autoLogging: options.accessLog && {
        ignore: (request) => {
          const url = (request as IncomingMessage & { originalUrl?: string }).originalUrl ?? request.url ?? '';
          return url.startsWith('/health') || url.startsWith('/metrics');
        },
      },
      serializers: {
        req: (request: { method: string; url: string }) => ({ method: request.method, url: request.url }),
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
    },
  });
}
