import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DeliverPolicy, type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  type AuthorizePaymentV1,
  DEADLETTER_STREAM,
  type EnvelopeOf,
  type EventDefinition,
  type EventPayload,
  PAYMENTS_STREAM,
  PaymentAuthorizedV1,
  PaymentCapturedV1,
  PaymentFailedV1,
  PaymentVoidedV1,
  STREAMS,
} from '@storefront/contracts';
import { Namespace, connectNats, createEvent, deleteStreams } from '@storefront/messaging';
import { createServiceApp, parseConfig, startServiceApp } from '@storefront/service-kit';
import { createTestDatabase, freePort, type TestDatabase, waitFor } from '@storefront/testing';
import { paymentConfigSchema } from '../src/config';
import { PrismaService } from '../src/infrastructure/prisma/prisma.service';
import { SimulatedPaymentProvider } from '../src/infrastructure/provider/simulated-payment-provider';
import { PAYMENT_COMMANDS_CONSUMER } from '../src/interface/messaging/payment-commands.consumer';
import { PaymentModule } from '../src/payment.module';

const OUTCOMES: readonly EventDefinition[] = [PaymentAuthorizedV1, PaymentFailedV1, PaymentCapturedV1, PaymentVoidedV1];

export interface Outcome {
  readonly subject: string;
  readonly envelope: EnvelopeOf<EventDefinition> & { payload: { orderId: string } & Record<string, unknown> };
}

export interface PaymentUnderTest {
  readonly app: NestFastifyApplication;
  readonly database: TestDatabase;
  readonly prisma: PrismaService;
  readonly provider: SimulatedPaymentProvider;
  readonly httpUrl: string;
  readonly namespace: Namespace;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** Publishes a command to JetStream as the order saga does; returns its envelope. */
  send<D extends EventDefinition>(definition: D, payload: EventPayload<D>): Promise<EnvelopeOf<D>>;
  /** Publishes an envelope as it is (a redelivered or republished command). */
  publish(envelope: EnvelopeOf<EventDefinition>, msgID?: string): Promise<void>;
  /** payment.authorized/failed/captured/voided events of one order, in stream order. */
  outcomes(orderId: string): Promise<Outcome[]>;
  /** Waits until every command was acknowledged and every event left the outbox. */
  settled(): Promise<void>;
  deadLettered(): Promise<number>;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly env?: Record<string, string>;
  /** Another replica: the same database and namespace as `of`, closed without dropping them. */
  readonly replicaOf?: PaymentUnderTest;
}

/** The real payment service, in this process, on a database and messaging namespace of its own. */
export async function startPayment(options: StartOptions = {}): Promise<PaymentUnderTest> {
  const replicaOf = options.replicaOf;
  const database = replicaOf?.database ?? (await createTestDatabase('payment', join(__dirname, '..', 'prisma', 'migrations')));
  const config = parseConfig(paymentConfigSchema, {
    DATABASE_URL: database.url,
    HTTP_PORT: String(await freePort()),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    MESSAGING_NAMESPACE: replicaOf?.namespace.prefix ?? `t${randomBytes(5).toString('hex')}`,
    ...options.env,
  });
  const namespace = new Namespace(config.MESSAGING_NAMESPACE);
  const app = await createServiceApp({ module: PaymentModule.register(config), config });
  await startServiceApp(app, config);
  const nc: NatsConnection = await connectNats(config.NATS_URL, 'payment-test');
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const prisma = app.get(PrismaService);

  const publish = async (envelope: EnvelopeOf<EventDefinition>, msgID = envelope.id) => {
    await js.publish(namespace.subject(`${envelope.type}.v${envelope.version}`), JSON.stringify(envelope), { msgID });
  };

  const readStream = async (stream: string) => {
    const { state } = await jsm.streams.info(stream);
    if (state.messages === 0) return [];
    const consumer = await js.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
    const messages: { subject: string; data: unknown }[] = [];
    for (let index = 0; index < state.messages; index += 1) {
      const message = await consumer.next({ expires: 2_000 });
      if (!message) break;
      messages.push({ subject: namespace.logical(message.subject), data: message.json() });
    }
    return messages;
  };

  return {
    app,
    database,
    prisma,
    provider: app.get(SimulatedPaymentProvider),
    httpUrl: `http://127.0.0.1:${config.HTTP_PORT}`,
    namespace,
    js,
    jsm,
    send: async (definition, payload) => {
      const envelope = createEvent(definition, { source: 'order', aggregateId: randomUUID(), payload });
      await publish(envelope);
      return envelope;
    },
    publish,
    outcomes: async (orderId) => {
      const subjects = new Set(OUTCOMES.map((definition) => definition.subject));
      return (await readStream(namespace.stream(PAYMENTS_STREAM)))
        .filter((message) => subjects.has(message.subject))
        .map((message) => ({ subject: message.subject, envelope: message.data as Outcome['envelope'] }))
        .filter((outcome) => outcome.envelope.payload.orderId === orderId);
    },
    settled: async () => {
      await waitFor(
        async () => {
          const info = await jsm.consumers.info(namespace.stream(PAYMENTS_STREAM), PAYMENT_COMMANDS_CONSUMER);
          const unpublished = await prisma.outboxMessage.count({ where: { publishedAt: null } });
          return info.num_pending === 0 && info.num_ack_pending === 0 && unpublished === 0;
        },
        { timeoutMs: 15_000, what: 'commands handled and events published' },
      );
    },
    deadLettered: async () => (await jsm.streams.info(namespace.stream(DEADLETTER_STREAM))).state.messages,
    close: async () => {
      await app.close();
      if (!replicaOf) {
        await deleteStreams(jsm, namespace, STREAMS);
        await database.drop();
      }
      await nc.close();
    },
  };
}

export function authorizeCommand(overrides: Partial<EventPayload<typeof AuthorizePaymentV1>> = {}): EventPayload<typeof AuthorizePaymentV1> {
  return {
    orderId: randomUUID(),
    amount: { amountMinor: 4999, currency: 'USD' },
    paymentToken: 'tok_visa',
    ...overrides,
  };
}
