import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ORDERS_STREAM } from '@storefront/contracts';
import { Money } from '@storefront/ddd';
import { startServiceUnderTest, type ServiceRequest, type ServiceUnderTest } from '@storefront/devstack/testing';
import { freePort } from '@storefront/testing';
import { STEP_TIMEOUTS } from '../src/application/step-timeouts';
import { orderConfigSchema, type OrderConfig } from '../src/config';
import { Order, type StepTimeouts } from '../src/domain/order.aggregate';
import { ORDER_REPOSITORY, type OrderRepository } from '../src/domain/order.repository';
import { PrismaService } from '../src/infrastructure/prisma/prisma.service';
import { OrderModule } from '../src/order.module';

export const ADDRESS = { name: 'Ada Lovelace', line1: '12 Analytical St', city: 'London', postalCode: 'N1 9GU', country: 'GB' };

export interface OrderUnderTest {
  readonly app: NestFastifyApplication;
  readonly prisma: PrismaService;
  readonly service: ServiceUnderTest<OrderConfig>;
  /** One HTTP request, as an admin unless `as` names another caller (`null`: no token). */
  readonly request: ServiceRequest;
  /**
   * An order of `customerId` as placing one stores it (the real aggregate and repository, its
   * order.placed in the outbox), without asking the catalog for prices: the end-to-end tests do that.
   */
  placed(customerId: string, quantity?: number): Promise<Order>;
  /** Subjects of this run's ORDERS stream, in stream order. */
  ordersStream(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * The real order service, in this process, on a database and messaging namespace of its own. Its
 * CATALOG_GRPC_URL points at a port nothing listens on unless `env` says otherwise: pricing is the
 * end-to-end tests' subject (with the real catalog), not this harness's.
 */
export async function startOrder(options: { env?: Record<string, string> } = {}): Promise<OrderUnderTest> {
  const service = await startServiceUnderTest({
    serviceDir: join(__dirname, '..'),
    configSchema: orderConfigSchema,
    createModule: (config) => OrderModule.register(config),
    env: { CATALOG_GRPC_URL: `127.0.0.1:${await freePort()}`, CATALOG_TIMEOUT_MS: '500', ...options.env },
  });
  const repository = service.app.get<OrderRepository>(ORDER_REPOSITORY);
  const timeouts = service.app.get<StepTimeouts>(STEP_TIMEOUTS);
  return {
    app: service.app,
    prisma: service.app.get(PrismaService),
    service,
    request: service.request,
    placed: async (customerId, quantity = 2) => {
      const order = Order.place(
        {
          id: randomUUID(),
          customerId,
          paymentToken: 'tok_visa',
          shippingAddress: ADDRESS,
          lines: [{ productId: randomUUID(), sku: 'SKU-0001', name: 'Release It!', quantity, unitPrice: Money.of(1_250, 'USD') }],
        },
        new Date(),
        timeouts,
      );
      const result = await repository.insert(order, { customerId, key: randomUUID(), requestHash: 'x'.repeat(64) });
      return result.order;
    },
    ordersStream: async () => (await service.streamMessages(ORDERS_STREAM)).map((message) => message.subject),
    close: () => service.close(),
  };
}
