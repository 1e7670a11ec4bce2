import { Logger as NestLogger, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { context } from '@opentelemetry/api';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { GRPC_LOADER_OPTIONS, type GrpcPackageDefinition } from '@storefront/contracts';
import type { BaseConfig } from '../config/config';
import { CANARY_HEADER, canaryValue, requestContext } from '../context/request-context';
import { FaultInjector } from '../faults/fault-injection';
import { toProblem } from '../http/problem-details';
import { sendProblem } from '../http/problem-details.filter';
import { REQUEST_ID_HEADER, requestIdFor } from '../logging/logging';
import { instrumentHttp } from '../metrics/http-metrics';
import { startHttpServerSpan, traceHttpServer } from '../tracing/http-server.tracing';
import { installTracePropagation, startTracing } from '../tracing/tracing';

export interface ServiceAppOptions {
  /** The root module; it imports ServiceKitModule.forRoot(...). */
  readonly module: Type | DynamicModule;
  readonly config: BaseConfig & { GRPC_PORT?: number };
  /** gRPC packages this process serves on GRPC_PORT. */
  readonly grpc?: readonly GrpcPackageDefinition[];
  /** Largest accepted request body in bytes. */
  readonly bodyLimit?: number;
  /**
   * Which proxies' X-Forwarded-For to believe for `request.ip` (fastify's trustProxy: hops, or
   * addresses and CIDRs). None by default: a client could otherwise claim any address.
   */
  readonly trustProxy?: number | string | readonly string[];
  /** Last touches before listening (OpenAPI docs, CORS). */
  readonly configure?: (app: NestFastifyApplication) => void | Promise<void>;
}

/** fastify's trustProxy; hops as the function proxy-addr makes of a number (Nest's options type takes no number). */
function trustedProxies(trust: ServiceAppOptions['trustProxy']): boolean | string | string[] | ((address: string, hop: number) => boolean) {
  if (trust === undefined) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return typeof trust === 'string' ? trust : [...trust];
}

/** Builds the application without listening, so tests can start it on ports of their choosing. */
export async function createServiceApp(options: ServiceAppOptions): Promise<NestFastifyApplication> {
  installTracePropagation();
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: trustedProxies(options.trustProxy),
    requestIdHeader: false,
    genReqId: requestIdFor,
    // Errors the router meets before any route runs (a malformed percent-encoding in the path)
    // leave as problem+json too, not as fastify's own JSON.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => sendProblem(request, reply, toProblem(error)),
  });
  instrumentHttp(adapter.getInstance());
  traceHttpServer(adapter.getInstance());
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    const correlationId = request.headers['x-correlation-id'];
    const span = startHttpServerSpan(request, (name, value) => void reply.header(name, value));
    // Everything this request causes (logs, outgoing calls, events) runs inside its context and span.
    requestContext.run(
      {
        requestId: request.id,
        correlationId: typeof correlationId === 'string' && correlationId.length <= 512 ? correlationId : request.id,
        causationId: request.id,
        canary: canaryValue(request.headers[CANARY_HEADER]),
      },
      () => context.with(span, done),
    );
  });
  const app = await NestFactory.create<NestFastifyApplication>(options.module, adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  const faults = app.get(FaultInjector, { strict: false });
  if (faults.enabled) {
    new NestLogger('faults').warn(faults.describe());
    // After the context hook: the refusal carries the request id like any other answer.
    adapter.getInstance().addHook('onRequest', async (request, reply) => {
      const fault = faults.decide(request.url);
      if (!fault) return;
      try {
        await faults.apply(fault);
      } catch (error) {
        sendProblem(request, reply, toProblem(error));
        return reply;
      }
      return undefined;
    });
  }
  // No global interceptor: ProblemDetailsFilter records a handler's exception on the request's span
  // (recordRequestException), so Nest runs the HTTP handlers without rxjs. gRPC handlers have their own.

  if (options.grpc?.length) {
    if (options.config.GRPC_PORT === undefined) throw new Error('GRPC_PORT is required to serve gRPC');
    app.connectMicroservice<GrpcOptions>({
      transport: Transport.GRPC,
      options: {
        package: options.grpc.map((definition) => definition.package),
        protoPath: options.grpc.map((definition) => definition.protoPath),
        url: `${options.config.HOST}:${options.config.GRPC_PORT}`,
        loader: GRPC_LOADER_OPTIONS,
      },
    });
  }

  await options.configure?.(app);
  return app;
}

export async function startServiceApp(app: INestApplication, config: ServiceAppOptions['config']): Promise<void> {
  await app.startAllMicroservices();
  await app.listen(config.HTTP_PORT, config.HOST);
}

/**
 * The whole life of a service process: build, listen, and on SIGTERM drain and close within
 * SHUTDOWN_TIMEOUT_MS. A failure to start ends the process with status 1 and the reason logged.
 */
export async function runService(name: string, options: ServiceAppOptions): Promise<void> {
  const logger = new NestLogger(name);
  const tracing = startTracing(name);
  try {
    const app = await createServiceApp(options);
    let stopping = false;
    const stop = async (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      const since = Date.now();
      logger.log(`${signal} received; finishing in-flight requests`);
      setTimeout(() => {
        logger.error(`did not stop within ${options.config.SHUTDOWN_TIMEOUT_MS} ms; exiting`);
        process.exit(1);
      }, options.config.SHUTDOWN_TIMEOUT_MS).unref();
      // close() marks the process not ready, stops the servers (in-flight calls finish) and runs
      // every module's shutdown hooks (database pools, subscriptions). Then the last spans go out.
      await app.close();
      await tracing.shutdown().catch((error: unknown) => logger.warn(`could not export the last spans: ${String(error)}`));
      logger.log(`${name} stopped in ${Date.now() - since} ms`);
      process.exit(0);
    };
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, (received) => void stop(received));
    await startServiceApp(app, options.config);
    const grpc = options.grpc?.length ? `, gRPC on :${options.config.GRPC_PORT}` : '';
    const traces = tracing.exporting ? '; exporting traces over OTLP' : '';
    logger.log(`${name} ready: HTTP on :${options.config.HTTP_PORT}${grpc}${traces}`);
  } catch (error) {
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error), 'failed to start');
    process.exit(1);
  }
}
