import { Money } from '@storefront/ddd';
import { Payment, type NewPayment } from './payment.aggregate';
import { InvalidPaymentTransitionError } from './payment.errors';

const orderId = '6f1c9d2e-7a43-4b8e-9c55-0d1e2f3a4b5c';
const opened = new Date('2026-01-01T00:00:00Z');
const later = new Date('2026-01-01T00:05:00Z');
const input: NewPayment = { id: 'p1', orderId, amount: Money.of(4999, 'EUR'), paymentToken: 'tok_visa_4242' };

const pending = () => Payment.request(input, opened);
function decided(outcome: Parameters<Payment['decide']>[0]): Payment {
  const payment = pending();
  payment.decide(outcome, opened);
  return payment;
}
const authorized = () => decided({ approved: true });
const declined = () => decided({ approved: false, message: 'declined' });
const tombstone = () => Payment.voidBeforeAuthorization({ id: 'p1', orderId }, opened);
function captured(): Payment {
  const payment = authorized();
  payment.capture(opened);
  return payment;
}
function voided(): Payment {
  const payment = authorized();
  payment.void(opened);
  return payment;
}
function voidedWhilePending(): Payment {
  const payment = pending();
  payment.void(opened);
  return payment;
}
const kinds = (payment: Payment) =>
  payment.pullEvents().map((event) => ('outcome' in event ? `${event.kind}:${event.outcome}` : event.kind));
const settled = (make: () => Payment) => () => {
  const payment = make();
  payment.pullEvents();
  return payment;
};

describe('Payment', () => {
  it('is pending before the provider is asked, announcing nothing yet', () => {
    const payment = pending();
    expect(payment.snapshot).toMatchObject({ status: 'pending', amount: input.amount, authorizedAt: null });
    expect(payment.providerKey).toBe('p1');
    expect(kinds(payment)).toEqual([]);
  });

  it('is authorized with the amount when the provider approves, and records PaymentAuthorized', () => {
    const payment = pending();
    payment.decide({ approved: true }, later);
    expect(payment.snapshot).toMatchObject({ status: 'authorized', amount: input.amount, capturedAmount: null, authorizedAt: later });
    expect(kinds(payment)).toEqual(['PaymentAuthorized']);
  });

  it('keeps only the last four characters of the payment token', () => {
    expect(pending().snapshot.tokenLast4).toBe('4242');
    expect(Payment.request({ ...input, paymentToken: 'tok' }, opened).snapshot.tokenLast4).toBe('tok');
    expect(JSON.stringify(authorized().snapshot)).not.toContain('tok_visa');
  });

  it('is failed when declined and keeps the decline message', () => {
    const payment = declined();
    expect(payment.snapshot).toMatchObject({ status: 'failed', declineMessage: 'declined', authorizedAt: null });
    expect(payment.pullEvents()).toEqual([expect.objectContaining({ kind: 'PaymentDeclined', message: 'declined' })]);
  });

  it('takes the provider’s answer only while pending', () => {
    for (const make of [authorized, declined, tombstone, voidedWhilePending]) {
      expect(() => make().decide({ approved: true }, later)).toThrow(InvalidPaymentTransitionError);
    }
  });

  it('captures exactly the authorized amount', () => {
    const payment = settled(authorized)();
    expect(payment.capture(later)).toBe(true);
    expect(payment.snapshot).toMatchObject({ status: 'captured', capturedAmount: input.amount, capturedAt: later, updatedAt: later });
    expect(kinds(payment)).toEqual(['PaymentCaptured']);
  });

  it('voids an authorization, and a pending one whose answer never came', () => {
    for (const make of [authorized, pending]) {
      const payment = settled(make)();
      expect(payment.void(later)).toBe(true);
      expect(payment.snapshot).toMatchObject({ status: 'voided', capturedAmount: null, updatedAt: later });
      expect(kinds(payment)).toEqual(['PaymentVoided']);
    }
  });

  it('is voided before authorization when the void came first or while pending, and only then', () => {
    const payment = tombstone();
    expect(payment.snapshot).toMatchObject({ status: 'voided', amount: null, tokenLast4: null });
    expect(kinds(payment)).toEqual(['VoidedBeforeAuthorization']);
    expect(payment.isVoidedBeforeAuthorization).toBe(true);
    expect(voidedWhilePending().isVoidedBeforeAuthorization).toBe(true);
    expect(voided().isVoidedBeforeAuthorization).toBe(false);
  });

  it.each([
    ['authorized', authorized, 'OutcomeRepeated:authorized'],
    ['captured', captured, 'OutcomeRepeated:authorized'],
    ['voided after authorization', voided, 'OutcomeRepeated:authorized'],
    ['declined', declined, 'OutcomeRepeated:declined'],
    ['voided before authorization', tombstone, 'AuthorizationRefused'],
    ['voided while pending', voidedWhilePending, 'AuthorizationRefused'],
  ])('answers an authorization asked for again of a %s payment as before, changing nothing', (_state, make, answer) => {
    const payment = settled(make)();
    const before = payment.snapshot;
    payment.answerAuthorizationAgain(later);
    expect(payment.snapshot).toBe(before);
    expect(kinds(payment)).toEqual([answer]);
  });

  it('cannot repeat the answer of a pending authorization: the provider has to be asked', () => {
    expect(() => pending().answerAuthorizationAgain(later)).toThrow(InvalidPaymentTransitionError);
  });

  it('announces a repeated capture again without capturing twice', () => {
    const payment = settled(captured)();
    const before = payment.snapshot;
    expect(payment.capture(later)).toBe(false);
    expect(payment.snapshot).toBe(before);
    expect(kinds(payment)).toEqual(['OutcomeRepeated:captured']);
  });

  it.each([
    ['voided after authorization', voided],
    ['voided before authorization', tombstone],
  ])('announces a repeated void of a payment %s again without voiding twice', (_state, make) => {
    const payment = settled(make)();
    const before = payment.snapshot;
    expect(payment.void(later)).toBe(false);
    expect(payment.snapshot).toBe(before);
    expect(kinds(payment)).toEqual(['OutcomeRepeated:voided']);
  });

  it.each([
    ['pending', pending],
    ['voided', voided],
    ['declined', declined],
    ['tombstoned', tombstone],
  ])('cannot capture a %s payment', (_state, make) => {
    const payment = settled(make)();
    expect(() => payment.capture(later)).toThrow(InvalidPaymentTransitionError);
    expect(payment.pullEvents()).toEqual([]);
  });

  it('answers a void of a declined payment as voided, changing nothing: nothing is held', () => {
    const payment = settled(declined)();
    const before = payment.snapshot;
    expect(payment.void(later)).toBe(false);
    expect(payment.snapshot).toBe(before);
    expect(kinds(payment)).toEqual(['NothingToVoid']);
  });

  it('cannot void a captured payment', () => {
    const payment = captured();
    const before = payment.snapshot;
    expect(() => payment.void(later)).toThrow(InvalidPaymentTransitionError);
    expect(payment.snapshot).toBe(before);
  });

  it('names the action, the status and the order when it refuses a transition', () => {
    let caught: unknown;
    try {
      voided().capture(later);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({
      code: 'PAYMENT.INVALID_TRANSITION',
      message: `Cannot capture the voided payment of order ${orderId}`,
    });
  });
});
