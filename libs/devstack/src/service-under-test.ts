import { randomBytes, randomUUID } from 'node:crypto';
import { basename, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { z } from 'zod';
import {
  envelopeSchemaOf,
  GRPC_LOADER_OPTIONS,
  STREAMS,
  type EnvelopeOf,
  type EventDefinition,
  type EventPayload,
  type GrpcPackageDefinition,
  type StreamDefinition,
} from '@storefront/contracts';
import { connectNats, createEvent, deleteStreams, Namespace, subjectOf } from '@storefront/messaging';
import { createServiceApp, parseConfig, startServiceApp, type BaseConfig } from '@storefront/service-kit';
import { createTestDatabase, freePort, type TestDatabase } from '@storefront/testing';
import { DevIssuer, type TokenRequest } from './dev-auth';
import { TEST_ADMIN, TEST_DATABASE_POOL_SIZE } from './test-stack';

/** What the helper reads of a service's configuration. */
type TestedConfig = BaseConfig & { NATS_URL: string; MESSAGING_NAMESPACE: string; GRPC_PORT?: number };

export interface ServiceUnderTestOptions<S extends z.ZodType<TestedConfig>> {
  /**
   * The service's folder, services/<name>: its name labels the test database and NATS connection,
   * its prisma/migrations set up the database.
   */
  readonly serviceDir: string;
  readonly configSchema: S;
  /** Environment on top of the test defaults, e.g. { INITIAL_STOCK: '7' }. */
  readonly env?: Record<string, string>;
  /** The service's root module; services are parameters so libs import none of them. */
  readonly createModule: (config: z.output<S>) => DynamicModule;
  /** gRPC packages to serve, on a free GRPC_PORT. */
  readonly grpc?: readonly GrpcPackageDefinition[];
  /** Another replica: the same database and namespace, closed without dropping them. */
  readonly replicaOf?: { readonly database: TestDatabase; readonly namespace: Namespace };
}

export interface StreamMessage {
  /** Logical subject, without the namespace. */
  readonly subject: string;
  readonly data: unknown;
}

/** Members are functions, not methods, so a harness can hand them on unbound. */
export interface ServiceUnderTest<C> {
  readonly app: NestFastifyApplication;
  readonly config: C;
  readonly database: TestDatabase;
  /** Subjects and streams of this run are prefixed with it. */
  readonly namespace: Namespace;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly httpUrl: string;
  /** Publishes a command or event to JetStream as its producer would; returns its envelope. */
  readonly send: <D extends EventDefinition>(definition: D, payload: EventPayload<D>, aggregateId?: string) => Promise<EnvelopeOf<D>>;
  /** Publishes an envelope as it is; another msgID gets it past JetStream's duplicate window. */
  readonly publish: (envelope: EnvelopeOf<EventDefinition>, msgID?: string) => Promise<void>;
  /** Every message in one of this run's streams so far, in stream order. */
  readonly streamMessages: (stream: StreamDefinition) => Promise<StreamMessage[]>;
  /** The events of one kind published to JetStream so far. */
  readonly published: <D extends EventDefinition>(definition: D) => Promise<EnvelopeOf<D>[]>;
  /** An access token this service accepts (see DevIssuer). */
  readonly token: (request: TokenRequest) => Promise<string>;
  readonly request: ServiceRequest;
  readonly close: () => Promise<void>;
}

/**
 * One HTTP request to a service under test, as an admin unless `as` names another caller (`null`:
 * no token). A string body is sent as it is, anything else as JSON; the answer's body is parsed JSON.
 */
export type ServiceRequest = (
  method: string,
  path: string,
  body?: unknown,
  contentType?: string,
  as?: TokenRequest | null,
) => Promise<{ status: number; type: string | null; body: unknown }>;

let sharedIssuer: Promise<DevIssuer> | undefined;
/** One signing key per test process, trusted by every service it starts. */
export function testIssuer(): Promise<DevIssuer> {
  sharedIssuer ??= DevIssuer.ephemeral();
  return sharedIssuer;
}

/** A real service, in this process, on a database and messaging namespace of its own and free ports. */
export async function startServiceUnderTest<S extends z.ZodType<TestedConfig>>(
  options: ServiceUnderTestOptions<S>,
): Promise<ServiceUnderTest<z.output<S>>> {
  const { replicaOf, serviceDir } = options;
  const label = basename(serviceDir);
  const database = replicaOf?.database ?? (await createTestDatabase(label, join(serviceDir, 'prisma', 'migrations')));
  const issuer = await testIssuer();
  const config = parseConfig(options.configSchema, {
    ...issuer.env(),
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: TEST_DATABASE_POOL_SIZE,
    HTTP_PORT: String(await freePort()),
    ...(options.grpc?.length ? { GRPC_PORT: String(await freePort()) } : {}),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    MESSAGING_NAMESPACE: replicaOf?.namespace.prefix ?? `t${randomBytes(5).toString('hex')}`,
    ...options.env,
  });
  const namespace = new Namespace(config.MESSAGING_NAMESPACE);
  const app = await createServiceApp({ module: options.createModule(config), config, grpc: options.grpc });
  await startServiceApp(app, config);
  const nc = await connectNats(config.NATS_URL, `${label}-test`);
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);

  const publish = async (envelope: EnvelopeOf<EventDefinition>, msgID = envelope.id) => {
    await js.publish(namespace.subject(subjectOf(envelope)), JSON.stringify(envelope), { msgID });
  };

  const streamMessages = async (definition: StreamDefinition): Promise<StreamMessage[]> => {
    const stream = namespace.stream(definition);
    const { state } = await jsm.streams.info(stream);
    if (state.messages === 0) return [];
    const consumer = await js.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
    const messages = await consumer.fetch({ max_messages: state.messages, expires: 2_000 });
    const read: StreamMessage[] = [];
    for await (const message of messages) {
      read.push({ subject: namespace.logical(message.subject), data: message.json() });
      if (read.length >= state.messages) break;
    }
    return read;
  };

  const httpUrl = `http://127.0.0.1:${config.HTTP_PORT}`;
  const request: ServiceRequest = async (method, path, body, contentType = 'application/json', as = TEST_ADMIN) => {
    const headers: Record<string, string> = as ? { authorization: `Bearer ${await issuer.token(as)}` } : {};
    if (body !== undefined) headers['content-type'] = contentType;
    const response = await fetch(`${httpUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
  };

  return {
    app,
    config,
    database,
    namespace,
    nc,
    js,
    jsm,
    httpUrl,
    request,
    send: async (definition, payload, aggregateId = randomUUID()) => {
      const envelope = createEvent(definition, { source: definition.producer, aggregateId, payload });
      await publish(envelope);
      return envelope;
    },
    publish,
    streamMessages,
    token: (request) => issuer.token(request),
    published: async (definition) => {
      const schema = envelopeSchemaOf(definition);
      return (await streamMessages(definition.stream))
        .filter((message) => message.subject === definition.subject)
        .map((message) => schema.parse(message.data) as EnvelopeOf<typeof definition>);
    },
    close: async () => {
      await app.close();
      // A replica leaves the database and streams to the instance it shares them with.
      if (!replicaOf) {
        await deleteStreams(jsm, namespace, STREAMS);
        await database.drop();
      }
      await nc.close();
    },
  };
}

type Callback<T> = (error: grpc.ServiceError | null, response: T) => void;
type UnaryMethod = (request: object, metadata: grpc.Metadata, callback: Callback<unknown>) => void;

export interface GrpcTestClient {
  /** One unary call; `metadata` is sent as call metadata (e.g. { authorization: 'Bearer …' }). */
  call<T>(method: string, request: object, metadata?: Record<string, string>): Promise<T>;
  close(): void;
}

/** A plain grpc-js client of one package, as another service would build one. */
export function grpcTestClient(definition: GrpcPackageDefinition, address: string): GrpcTestClient {
  const loaded = grpc.loadPackageDefinition(protoLoader.loadSync(definition.protoPath, GRPC_LOADER_OPTIONS));
  // 'catalog.v1' and 'CatalogService' lead to loaded.catalog.v1.CatalogService.
  const Service = [...definition.package.split('.'), definition.serviceName].reduce<unknown>(
    (node, key) => (node as Record<string, unknown> | undefined)?.[key],
    loaded,
  ) as grpc.ServiceClientConstructor | undefined;
  if (!Service) throw new Error(`no service ${definition.package}.${definition.serviceName} in ${definition.protoPath}`);
  const client = new Service(address, grpc.credentials.createInsecure());
  return {
    call: <T>(method: string, request: object, metadata: Record<string, string> = {}) =>
      new Promise<T>((resolve, reject) => {
        const fn = (client as unknown as Record<string, UnaryMethod>)[method];
        if (!fn) throw new Error(`no method ${method}`);
        const sent = new grpc.Metadata();
        for (const [key, value] of Object.entries(metadata)) sent.set(key, value);
        fn.call(client, request, sent, (error, response) => (error ? reject(error) : resolve(response as T)));
      }),
    close: () => client.close(),
  };
}
