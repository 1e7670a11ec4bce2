import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  DEADLETTER_STREAM,
  PaymentAuthorizedV1,
  PaymentCapturedV1,
  PaymentFailedV1,
  PAYMENTS_STREAM,
  PaymentVoidedV1,
  type AuthorizePaymentV1,
  type EnvelopeOf,
  type EventDefinition,
  type EventPayload,
} from '@storefront/contracts';
import type { TokenRequest } from '@storefront/devstack';
import { startServiceUnderTest, type ServiceRequest } from '@storefront/devstack/testing';
import type { Namespace } from '@storefront/messaging';
import { waitFor, type TestDatabase } from '@storefront/testing';
import { paymentConfigSchema } from '../src/config';
import { PrismaService } from '../src/infrastructure/prisma/prisma.service';
import { SimulatedPaymentProvider } from '../src/infrastructure/provider/simulated-payment-provider';
import { PAYMENT_COMMANDS_CONSUMER } from '../src/interface/messaging/payment-commands.consumer';
import { PaymentModule } from '../src/payment.module';

const OUTCOMES: readonly EventDefinition[] = [PaymentAuthorizedV1, PaymentFailedV1, PaymentCapturedV1, PaymentVoidedV1];

interface Outcome {
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
  /** An access token this service accepts. */
  token(request: TokenRequest): Promise<string>;
  /** One HTTP request, as an admin unless told otherwise (see ServiceUnderTest.request). */
  readonly request: ServiceRequest;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly env?: Record<string, string>;
  /** Another replica: the same database and namespace as `of`, closed without dropping them. */
  readonly replicaOf?: PaymentUnderTest;
}

/** The real payment service, in this process, on a database and messaging namespace of its own. */
export async function startPayment(options: StartOptions = {}): Promise<PaymentUnderTest> {
  const service = await startServiceUnderTest({
    serviceDir: join(__dirname, '..'),
    configSchema: paymentConfigSchema,
    createModule: (config) => PaymentModule.register(config),
    ...options,
  });
  const { app, namespace, jsm } = service;
  const prisma = app.get(PrismaService);

  return {
    app,
    database: service.database,
    prisma,
    provider: app.get(SimulatedPaymentProvider),
    httpUrl: service.httpUrl,
    token: service.token,
    request: service.request,
    namespace,
    js: service.js,
    jsm,
    send: (definition, payload) => service.send(definition, payload),
    publish: service.publish,
    outcomes: async (orderId) => {
      const subjects = new Set(OUTCOMES.map((definition) => definition.subject));
      return (await service.streamMessages(PAYMENTS_STREAM))
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
    close: () => service.close(),
  };
}

export function authorizeCommand(
  overrides: Partial<EventPayload<typeof AuthorizePaymentV1>> = {},
): EventPayload<typeof AuthorizePaymentV1> {
  return {
    orderId: randomUUID(),
    amount: { amountMinor: 4999, currency: 'USD' },
    paymentToken: 'tok_visa',
    ...overrides,
  };
}
