import { AuthorizePaymentV1, CapturePaymentV1, PaymentAuthorizedV1, PaymentCapturedV1 } from '@storefront/contracts';
import { asTransaction, SqlDatabase } from '@storefront/persistence';
import { AuthorizePaymentHandler } from '../src/application/commands/authorize-payment/authorize-payment.handler';
import { CapturePaymentHandler } from '../src/application/commands/capture-payment/capture-payment.handler';
import { authorizeCommand, startPayment, type PaymentUnderTest } from './payment-app';

/** At most one authorization and one capture per order, however the duplicates race. */
describe('payment under concurrent duplicate commands', () => {
  let payment: PaymentUnderTest;
  let replica: PaymentUnderTest;

  const slowProvider = { latencyMs: 150, failureRate: 0, declineAmountOverMinor: null };
  const outboxSubjects = async (orderId: string) =>
    (await payment.prisma.outboxMessage.findMany({ orderBy: { position: 'asc' } }))
      .filter((message) => (message.envelope as { payload: { orderId: string } }).payload.orderId === orderId)
      .map((message) => message.subject);

  beforeAll(async () => {
    payment = await startPayment();
    replica = await startPayment({ replicaOf: payment });
  });

  afterAll(async () => {
    await replica?.close();
    await payment?.close();
  });

  afterEach(() => {
    jest.restoreAllMocks();
    for (const instance of [payment, replica]) instance.provider.configure({ ...slowProvider, latencyMs: 0 });
  });

  it('lets one of two simultaneous authorizations of an order through, in two transactions at once', async () => {
    payment.provider.configure(slowProvider);
    const providerCalls = jest.spyOn(payment.provider, 'authorize');
    const handler = payment.app.get(AuthorizePaymentHandler);
    const command = authorizeCommand();

    await Promise.all([1, 2].map(() => payment.app.get(SqlDatabase).$transaction((tx) => handler.execute(command, asTransaction(tx)))));

    expect(providerCalls).toHaveBeenCalledTimes(1);
    await expect(payment.prisma.payment.count({ where: { orderId: command.orderId } })).resolves.toBe(1);
    // The second one found the first one's answer and gave it again.
    await expect(outboxSubjects(command.orderId)).resolves.toEqual([PaymentAuthorizedV1.subject, PaymentAuthorizedV1.subject]);
  });

  it('captures once when two captures of an order run in two transactions at once', async () => {
    const command = authorizeCommand();
    await payment.app.get(SqlDatabase).$transaction((tx) => payment.app.get(AuthorizePaymentHandler).execute(command, asTransaction(tx)));
    payment.provider.configure(slowProvider);
    const providerCalls = jest.spyOn(payment.provider, 'capture');
    const handler = payment.app.get(CapturePaymentHandler);

    await Promise.all(
      [1, 2].map(() => payment.app.get(SqlDatabase).$transaction((tx) => handler.execute({ orderId: command.orderId }, asTransaction(tx)))),
    );

    expect(providerCalls).toHaveBeenCalledTimes(1);
    await expect(payment.prisma.capture.count({ where: { orderId: command.orderId } })).resolves.toBe(1);
    await expect(outboxSubjects(command.orderId)).resolves.toEqual([
      PaymentAuthorizedV1.subject,
      PaymentCapturedV1.subject,
      PaymentCapturedV1.subject,
    ]);
  });

  it('charges each order once when two replicas receive duplicate captures at the same time', async () => {
    const orders = [1, 2, 3, 4].map(() => authorizeCommand());
    for (const command of orders) await payment.send(AuthorizePaymentV1, command);
    await payment.settled();
    const captures = [payment, replica].map((instance) => {
      instance.provider.configure(slowProvider);
      return jest.spyOn(instance.provider, 'capture');
    });

    await Promise.all(
      orders.flatMap((command) => [
        payment.send(CapturePaymentV1, { orderId: command.orderId }),
        payment.send(CapturePaymentV1, { orderId: command.orderId }),
      ]),
    );
    await payment.settled();

    expect(captures.reduce((calls, spy) => calls + spy.mock.calls.length, 0)).toBe(orders.length);
    for (const command of orders) {
      expect((await payment.outcomes(command.orderId)).map((outcome) => outcome.subject)).toEqual([
        PaymentAuthorizedV1.subject,
        PaymentCapturedV1.subject,
        PaymentCapturedV1.subject,
      ]);
      await expect(payment.prisma.capture.count({ where: { orderId: command.orderId } })).resolves.toBe(1);
    }
  });
});
