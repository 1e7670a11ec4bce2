import { randomUUID } from 'node:crypto';
import {
  AuthorizePaymentV1,
  CapturePaymentV1,
  envelopeSchemaOf,
  PaymentAuthorizedV1,
  PaymentCapturedV1,
  PaymentFailedV1,
  PAYMENTS_STREAM,
  PaymentVoidedV1,
  VoidPaymentV1,
  type EnvelopeOf,
} from '@storefront/contracts';
import { waitFor } from '@storefront/testing';
import { PaymentProviderUnavailableError } from '../src/domain/payment.errors';
import { PAYMENT_COMMANDS_CONSUMER } from '../src/interface/messaging/payment-commands.consumer';
import { authorizeCommand, startPayment, type PaymentUnderTest } from './payment-app';

/** The order saga's commands, published to JetStream, against the real service and database. */
describe('payment commands', () => {
  let payment: PaymentUnderTest;

  const subjects = async (orderId: string) => (await payment.outcomes(orderId)).map((outcome) => outcome.subject);
  const row = (orderId: string) => payment.prisma.payment.findUnique({ where: { orderId }, include: { capture: true } });
  const outcomesAfterSettling = async (orderId: string) => {
    await payment.settled();
    return payment.outcomes(orderId);
  };

  beforeAll(async () => {
    payment = await startPayment();
  });

  afterAll(async () => {
    await payment.close();
  });

  it('authorizes tok_visa, then captures exactly the authorized amount once', async () => {
    const command = authorizeCommand({ amount: { amountMinor: 12_345, currency: 'EUR' }, paymentToken: 'tok_visa' });
    const sent = await payment.send(AuthorizePaymentV1, command);

    const [authorized] = await waitFor(async () => {
      const outcomes = await payment.outcomes(command.orderId);
      return outcomes.length > 0 ? outcomes : undefined;
    });
    expect(authorized?.subject).toBe(PaymentAuthorizedV1.subject);
    const authorizedEvent = envelopeSchemaOf(PaymentAuthorizedV1).parse(authorized?.envelope) as EnvelopeOf<typeof PaymentAuthorizedV1>;
    expect(authorizedEvent).toMatchObject({
      source: 'payment',
      correlationId: sent.correlationId,
      causationId: sent.id,
      payload: { orderId: command.orderId, amount: { amountMinor: 12_345, currency: 'EUR' } },
    });
    await expect(row(command.orderId)).resolves.toMatchObject({
      id: authorizedEvent.payload.paymentId,
      status: 'authorized',
      amountMinor: 12_345,
      currency: 'EUR',
      tokenLast4: 'visa',
      capture: null,
    });

    await payment.send(CapturePaymentV1, { orderId: command.orderId });

    const outcomes = await waitFor(async () => {
      const all = await payment.outcomes(command.orderId);
      return all.length >= 2 ? all : undefined;
    });
    expect(outcomes.map((outcome) => outcome.subject)).toEqual([PaymentAuthorizedV1.subject, PaymentCapturedV1.subject]);
    const captured = envelopeSchemaOf(PaymentCapturedV1).parse(outcomes[1]?.envelope);
    expect(captured.payload).toEqual({
      orderId: command.orderId,
      paymentId: authorizedEvent.payload.paymentId,
      amount: authorizedEvent.payload.amount,
    });
    await expect(row(command.orderId)).resolves.toMatchObject({
      status: 'captured',
      capture: { amountMinor: 12_345, currency: 'EUR', orderId: command.orderId },
    });
    await expect(payment.prisma.capture.count({ where: { orderId: command.orderId } })).resolves.toBe(1);
  });

  it('declines tok_decline with payment.failed.v1 "declined" and authorizes nothing', async () => {
    const command = authorizeCommand({ paymentToken: 'tok_decline' });
    await payment.send(AuthorizePaymentV1, command);

    const outcomes = await outcomesAfterSettling(command.orderId);

    expect(outcomes.map((outcome) => outcome.subject)).toEqual([PaymentFailedV1.subject]);
    expect(envelopeSchemaOf(PaymentFailedV1).parse(outcomes[0]?.envelope).payload).toEqual({
      orderId: command.orderId,
      reason: 'declined',
      message: expect.stringMatching(/declined/),
    });
    await expect(row(command.orderId)).resolves.toMatchObject({ status: 'failed', tokenLast4: 'line', capture: null });
  });

  it('declines an amount over the limit set at run time', async () => {
    payment.provider.configure({ ...payment.provider.settings, declineAmountOverMinor: 1_000 });
    try {
      const command = authorizeCommand({ amount: { amountMinor: 1_001, currency: 'USD' } });
      await payment.send(AuthorizePaymentV1, command);
      const outcomes = await outcomesAfterSettling(command.orderId);
      expect(outcomes.map((outcome) => [outcome.subject, outcome.envelope.payload.reason])).toEqual([
        [PaymentFailedV1.subject, 'declined'],
      ]);
    } finally {
      payment.provider.configure({ ...payment.provider.settings, declineAmountOverMinor: null });
    }
  });

  it('leaves a tombstone for a void that arrives first, and the late authorization fails with "order_voided"', async () => {
    const command = authorizeCommand();
    await payment.send(VoidPaymentV1, { orderId: command.orderId, reason: 'stock_unavailable' });
    await payment.settled();
    await expect(row(command.orderId)).resolves.toMatchObject({ status: 'voided', amountMinor: null, tokenLast4: null });

    await payment.send(AuthorizePaymentV1, command);

    const outcomes = await outcomesAfterSettling(command.orderId);
    expect(outcomes.map((outcome) => outcome.subject)).toEqual([PaymentVoidedV1.subject, PaymentFailedV1.subject]);
    expect(envelopeSchemaOf(PaymentVoidedV1).parse(outcomes[0]?.envelope).payload).toEqual({
      orderId: command.orderId,
      paymentId: null,
    });
    expect(envelopeSchemaOf(PaymentFailedV1).parse(outcomes[1]?.envelope).payload).toMatchObject({ reason: 'order_voided' });
    await expect(row(command.orderId)).resolves.toMatchObject({ status: 'voided', amountMinor: null });
  });

  it('voids an authorization; neither a capture after it nor a void of a captured payment changes anything', async () => {
    const voided = authorizeCommand();
    await payment.send(AuthorizePaymentV1, voided);
    await payment.send(VoidPaymentV1, { orderId: voided.orderId, reason: 'customer_cancelled' });
    await payment.send(CapturePaymentV1, { orderId: voided.orderId });
    const captured = authorizeCommand();
    await payment.send(AuthorizePaymentV1, captured);
    await payment.send(CapturePaymentV1, { orderId: captured.orderId });
    await payment.send(VoidPaymentV1, { orderId: captured.orderId, reason: 'too_late' });

    const voidedOutcomes = await outcomesAfterSettling(voided.orderId);

    expect(voidedOutcomes.map((outcome) => outcome.subject)).toEqual([PaymentAuthorizedV1.subject, PaymentVoidedV1.subject]);
    expect(voidedOutcomes[1]?.envelope.payload.paymentId).toBe((await row(voided.orderId))?.id);
    await expect(row(voided.orderId)).resolves.toMatchObject({ status: 'voided', amountMinor: 4999, capture: null });
    await expect(subjects(captured.orderId)).resolves.toEqual([PaymentAuthorizedV1.subject, PaymentCapturedV1.subject]);
    await expect(row(captured.orderId)).resolves.toMatchObject({ status: 'captured' });
  });

  it('ignores a capture for an order it has no payment of', async () => {
    const orderId = randomUUID();
    await payment.send(CapturePaymentV1, { orderId });

    await expect(outcomesAfterSettling(orderId)).resolves.toEqual([]);
    await expect(row(orderId)).resolves.toBeNull();
    await expect(payment.deadLettered()).resolves.toBe(0);
  });

  it('has one effect when the same command arrives twice, and answers every command the saga sends again', async () => {
    const authorizeCalls = jest.spyOn(payment.provider, 'authorize');
    const captureCalls = jest.spyOn(payment.provider, 'capture');
    try {
      const command = authorizeCommand();
      const authorize = await payment.send(AuthorizePaymentV1, command);
      // The same envelope under another Nats-Msg-Id, as a republish after JetStream's duplicate window.
      await payment.publish(authorize, `${authorize.id}-again`);
      // The saga asks again (a new command): the first answer is repeated, even with another token.
      await payment.send(AuthorizePaymentV1, { ...command, paymentToken: 'tok_decline' });
      const capture = await payment.send(CapturePaymentV1, { orderId: command.orderId });
      await payment.publish(capture, `${capture.id}-again`);
      await payment.send(CapturePaymentV1, { orderId: command.orderId });

      const outcomes = await outcomesAfterSettling(command.orderId);

      expect(outcomes.map((outcome) => outcome.subject)).toEqual([
        PaymentAuthorizedV1.subject,
        PaymentAuthorizedV1.subject,
        PaymentCapturedV1.subject,
        PaymentCapturedV1.subject,
      ]);
      expect(outcomes[1]?.envelope.payload).toEqual(outcomes[0]?.envelope.payload);
      expect(outcomes[3]?.envelope.payload).toEqual(outcomes[2]?.envelope.payload);
      expect(authorizeCalls).toHaveBeenCalledTimes(1);
      expect(captureCalls).toHaveBeenCalledTimes(1);
      await expect(payment.prisma.payment.count({ where: { orderId: command.orderId } })).resolves.toBe(1);
      await expect(payment.prisma.capture.count({ where: { orderId: command.orderId } })).resolves.toBe(1);
      await expect(row(command.orderId)).resolves.toMatchObject({ status: 'captured', tokenLast4: 'visa' });
      // The republished envelopes did reach the consumer, and its inbox recognised them.
      const metrics = await (await fetch(`${payment.httpUrl}/metrics`)).text();
      for (const subject of [AuthorizePaymentV1.subject, CapturePaymentV1.subject]) {
        expect(metrics).toMatch(new RegExp(`storefront_messages_consumed_total\\{[^}]*subject="${subject}",outcome="duplicate"\\} 1\\b`));
      }
    } finally {
      authorizeCalls.mockRestore();
      captureCalls.mockRestore();
    }
  });

  it('answers a repeated void and a repeated declined authorization with the same outcome, calling the provider once', async () => {
    const voidCalls = jest.spyOn(payment.provider, 'void');
    try {
      const voided = authorizeCommand();
      await payment.send(AuthorizePaymentV1, voided);
      await payment.send(VoidPaymentV1, { orderId: voided.orderId, reason: 'customer_cancelled' });
      await payment.send(VoidPaymentV1, { orderId: voided.orderId, reason: 'customer_cancelled' });
      const declined = authorizeCommand({ paymentToken: 'tok_decline' });
      await payment.send(AuthorizePaymentV1, declined);
      await payment.send(AuthorizePaymentV1, declined);
      await payment.send(VoidPaymentV1, { orderId: declined.orderId, reason: 'payment timed out' });
      const tombstone = randomUUID();
      await payment.send(VoidPaymentV1, { orderId: tombstone, reason: 'stock_unavailable' });
      await payment.send(VoidPaymentV1, { orderId: tombstone, reason: 'stock_unavailable' });

      const voidedOutcomes = await outcomesAfterSettling(voided.orderId);
      expect(voidedOutcomes.map((outcome) => outcome.subject)).toEqual([
        PaymentAuthorizedV1.subject,
        PaymentVoidedV1.subject,
        PaymentVoidedV1.subject,
      ]);
      expect(voidedOutcomes[2]?.envelope.payload).toEqual(voidedOutcomes[1]?.envelope.payload);
      expect(voidCalls.mock.calls.filter(([request]) => JSON.stringify(request).includes(voided.orderId))).toHaveLength(1);

      const declinedOutcomes = await payment.outcomes(declined.orderId);
      // A void of a declined payment is answered too (nothing is held), so the saga stops sending it.
      expect(declinedOutcomes.map((outcome) => [outcome.subject, outcome.envelope.payload.reason])).toEqual([
        [PaymentFailedV1.subject, 'declined'],
        [PaymentFailedV1.subject, 'declined'],
        [PaymentVoidedV1.subject, undefined],
      ]);
      expect(declinedOutcomes[1]?.envelope.payload).toEqual(declinedOutcomes[0]?.envelope.payload);

      const tombstoneOutcomes = await payment.outcomes(tombstone);
      expect(tombstoneOutcomes.map((outcome) => [outcome.subject, outcome.envelope.payload.paymentId])).toEqual([
        [PaymentVoidedV1.subject, null],
        [PaymentVoidedV1.subject, null],
      ]);
      await expect(payment.deadLettered()).resolves.toBe(0);
    } finally {
      voidCalls.mockRestore();
    }
  });

  it('leaves no money held at the provider when the answer to an approval is lost and the order is voided meanwhile', async () => {
    const command = authorizeCommand();
    const provider = payment.provider;
    const approve = provider.authorize.bind(provider);
    const lost = jest.spyOn(provider, 'authorize').mockImplementationOnce(async (request) => {
      await approve(request); // the provider approves and holds the money,
      throw new PaymentProviderUnavailableError('authorize the payment'); // but its answer never arrives
    });
    const heldFor = async (orderId: string) => (await provider.holds('held')).filter((hold) => hold.reference === orderId);
    try {
      await payment.send(AuthorizePaymentV1, command);
      await waitFor(() => lost.mock.calls.length >= 1, { what: 'the lost approval' });
      await expect(heldFor(command.orderId)).resolves.toHaveLength(1);
      // The saga's payment step timed out: it voids before the authorization is delivered again.
      await payment.send(VoidPaymentV1, { orderId: command.orderId, reason: 'payment timed out' });

      const outcomes = await waitFor(
        async () => {
          const all = await payment.outcomes(command.orderId);
          return all.length >= 2 ? all : undefined;
        },
        { timeoutMs: 20_000, what: 'the void and the redelivered authorization answered' },
      );
      await payment.settled();

      expect(outcomes.map((outcome) => [outcome.subject, outcome.envelope.payload.reason])).toEqual([
        [PaymentVoidedV1.subject, undefined],
        [PaymentFailedV1.subject, 'order_voided'],
      ]);
      await expect(heldFor(command.orderId)).resolves.toEqual([]);
      await expect(row(command.orderId)).resolves.toMatchObject({ status: 'voided' });
      await expect(payment.deadLettered()).resolves.toBe(0);
    } finally {
      lost.mockRestore();
    }
  });

  it('retries an authorization while the provider fails, and applies it once when the provider recovers', async () => {
    const admin = await payment.token({ subject: 'ops', roles: ['admin'] });
    const put = (body: object) =>
      fetch(`${payment.httpUrl}/admin/provider`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify(body),
      });
    const authorize = jest.spyOn(payment.provider, 'authorize');
    try {
      expect((await put({ latencyMs: 0, failureRate: 1, declineAmountOverMinor: null })).status).toBe(200);
      const command = authorizeCommand();
      const sent = await payment.send(AuthorizePaymentV1, command);

      // Delivered twice and failed twice: retried, never acknowledged, nothing written but the intent.
      await waitFor(() => authorize.mock.calls.length >= 2, { what: 'a second delivery' });
      const consumer = await payment.jsm.consumers.info(payment.namespace.stream(PAYMENTS_STREAM), PAYMENT_COMMANDS_CONSUMER);
      expect(consumer.num_ack_pending).toBeGreaterThanOrEqual(1);
      await expect(row(command.orderId)).resolves.toMatchObject({ status: 'pending', authorizedAt: null });
      expect(new Set(authorize.mock.calls.map(([request]) => request.idempotencyKey)).size).toBe(1);
      await expect(payment.prisma.inboxMessage.count({ where: { eventId: sent.id } })).resolves.toBe(0);

      expect((await put({ latencyMs: 0, failureRate: 0, declineAmountOverMinor: null })).status).toBe(200);

      const outcomes = await waitFor(
        async () => {
          const all = await payment.outcomes(command.orderId);
          return all.length > 0 ? all : undefined;
        },
        { timeoutMs: 20_000, what: 'the authorization after the provider recovered' },
      );
      await payment.settled();
      expect(outcomes.map((outcome) => outcome.subject)).toEqual([PaymentAuthorizedV1.subject]);
      await expect(subjects(command.orderId)).resolves.toEqual([PaymentAuthorizedV1.subject]);
      await expect(row(command.orderId)).resolves.toMatchObject({ status: 'authorized' });
      await expect(payment.deadLettered()).resolves.toBe(0);
    } finally {
      authorize.mockRestore();
      payment.provider.configure({ latencyMs: 0, failureRate: 0, declineAmountOverMinor: null });
    }
  });
});
