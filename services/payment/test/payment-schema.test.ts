import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { createTestDatabase, type TestDatabase } from '@storefront/testing';
import { PrismaClient } from '../src/infrastructure/prisma/generated/client';

/** The hand-written migration matches the Prisma schema, and the database holds the invariants on its own. */
describe('payment migrations', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;

  const authorized = (orderId: string = randomUUID()) =>
    prisma.payment.create({
      data: {
        id: randomUUID(),
        orderId,
        status: 'authorized',
        amountMinor: 100,
        currency: 'USD',
        tokenLast4: 'visa',
        authorizedAt: new Date(),
      },
    });

  beforeAll(async () => {
    database = await createTestDatabase('payment_schema', join(__dirname, '..', 'prisma', 'migrations'));
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  });

  afterAll(async () => {
    await prisma.$disconnect();
    await database.drop();
  });

  it('reads and writes every column the Prisma schema declares', async () => {
    const payment = await authorized();
    await prisma.capture.create({
      data: { paymentId: payment.id, orderId: payment.orderId, amountMinor: 100, currency: 'USD', capturedAt: new Date() },
    });
    await expect(prisma.payment.findUnique({ where: { id: payment.id }, include: { capture: true } })).resolves.toMatchObject({
      status: 'authorized',
      amountMinor: 100,
      currency: 'USD',
      tokenLast4: 'visa',
      authorizedAt: payment.authorizedAt,
      declineMessage: null,
      capture: { amountMinor: 100, currency: 'USD', orderId: payment.orderId },
    });
    const declined = await prisma.payment.create({
      data: { id: randomUUID(), orderId: randomUUID(), status: 'failed', amountMinor: 5, currency: 'EUR', declineMessage: 'no' },
    });
    await expect(prisma.payment.findUnique({ where: { id: declined.id } })).resolves.toMatchObject({
      status: 'failed',
      declineMessage: 'no',
    });
    const hold = {
      idempotencyKey: payment.id,
      reference: payment.orderId,
      status: 'held',
      amountMinor: 100,
      currency: 'USD',
      declineMessage: null,
    };
    await prisma.providerAuthorization.create({ data: hold });
    await expect(prisma.providerAuthorization.findUnique({ where: { idempotencyKey: payment.id } })).resolves.toMatchObject({
      ...hold,
      createdAt: expect.any(Date),
      updatedAt: expect.any(Date),
    });
  });

  it('refuses a second payment for an order', async () => {
    const { orderId } = await authorized();
    await expect(authorized(orderId)).rejects.toThrow(/order_id/);
  });

  it('refuses a second capture of an order, even of another payment row', async () => {
    const payment = await authorized();
    const capture = { orderId: payment.orderId, amountMinor: 100, currency: 'USD' };
    await prisma.capture.create({ data: { ...capture, paymentId: payment.id } });
    const other = await authorized();

    await expect(prisma.capture.create({ data: { ...capture, paymentId: payment.id } })).rejects.toThrow(/captures_pkey/);
    await expect(prisma.capture.create({ data: { ...capture, paymentId: other.id } })).rejects.toThrow(/order_id/);
  });

  it.each([
    ['an authorized payment without amount', { status: 'authorized' as const, authorizedAt: new Date() }, /payments_tombstone_check/],
    [
      'an authorized payment without an authorization time',
      { status: 'captured' as const, amountMinor: 1, currency: 'USD' },
      /payments_authorized_check/,
    ],
    ['an amount without currency', { status: 'voided' as const, amountMinor: 1 }, /payments_amount_currency_check/],
    ['a negative amount', { status: 'pending' as const, amountMinor: -1, currency: 'USD' }, /payments_amount_minor_check/],
  ])('refuses %s', async (_case, data, constraint) => {
    await expect(prisma.payment.create({ data: { id: randomUUID(), orderId: randomUUID(), ...data } })).rejects.toThrow(constraint);
  });
});
