import { Money } from './money.value-object';
import { type NewPayment, Payment } from './payment.aggregate';
import { InvalidPaymentTransitionError } from './payment.errors';

const orderId = '6f1c9d2e-7a43-4b8e-9c55-0d1e2f3a4b5c';
const opened = new Date('2026-01-01T00:00:00Z');
const later = new Date('2026-01-01T00:05:00Z');
const input: NewPayment = { id: 'p1', orderId, amount: Money.of(4999, 'EUR'), paymentToken: 'tok_visa_4242' };

const authorized = () => Payment.authorize(input, opened);
const declined = () => Payment.decline({ ...input, message: 'declined' }, opened);
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
const kinds = (payment: Payment) => payment.pullEvents().map((event) => event.kind);

describe('Payment', () => {
  it('is authorized with the amount and records PaymentAuthorized', () => {
    const payment = authorized();
    expect(payment.snapshot).toMatchObject({ status: 'AUTHORIZED', amount: input.amount, capturedAmount: null });
    expect(kinds(payment)).toEqual(['PaymentAuthorized']);
  });

  it('keeps only the last four characters of the payment token', () => {
    expect(authorized().snapshot.tokenLast4).toBe('4242');
    expect(Payment.authorize({ ...input, paymentToken: 'tok' }, opened).snapshot.tokenLast4).toBe('tok');
    expect(JSON.stringify(authorized().snapshot)).not.toContain('tok_visa');
  });

  it('is FAILED when declined and records the decline with its message', () => {
    const payment = declined();
    expect(payment.status).toBe('FAILED');
    expect(payment.pullEvents()).toEqual([expect.objectContaining({ kind: 'PaymentDeclined', message: 'declined' })]);
  });

  it('captures exactly the authorized amount', () => {
    const payment = authorized();
    payment.pullEvents();
    expect(payment.capture(later)).toBe(input.amount);
    expect(payment.snapshot).toMatchObject({ status: 'CAPTURED', capturedAmount: input.amount, capturedAt: later, updatedAt: later });
    expect(kinds(payment)).toEqual(['PaymentCaptured']);
  });

  it('voids an authorization', () => {
    const payment = authorized();
    payment.pullEvents();
    payment.void(later);
    expect(payment.snapshot).toMatchObject({ status: 'VOIDED', capturedAmount: null, updatedAt: later });
    expect(kinds(payment)).toEqual(['PaymentVoided']);
  });

  it('is a tombstone when voided before any authorization, and only then', () => {
    const payment = tombstone();
    expect(payment.isTombstone).toBe(true);
    expect(payment.snapshot).toMatchObject({ status: 'VOIDED', amount: null, tokenLast4: null });
    expect(kinds(payment)).toEqual(['VoidedBeforeAuthorization']);
    expect(voided().isTombstone).toBe(false);
  });

  it('refuses a late authorization of a tombstone without changing it', () => {
    const payment = tombstone();
    const before = payment.snapshot;
    payment.pullEvents();
    payment.refuseAuthorization(later);
    expect(payment.snapshot).toBe(before);
    expect(kinds(payment)).toEqual(['AuthorizationRefused']);
  });

  it.each([
    ['captured', captured],
    ['voided', voided],
    ['declined', declined],
    ['tombstoned', tombstone],
  ])('cannot capture a %s payment', (_state, make) => {
    const payment = make();
    payment.pullEvents();
    expect(() => payment.capture(later)).toThrow(InvalidPaymentTransitionError);
    expect(payment.pullEvents()).toEqual([]);
  });

  it.each([
    ['captured', captured],
    ['voided', voided],
    ['declined', declined],
    ['tombstoned', tombstone],
  ])('cannot void a %s payment', (_state, make) => {
    const payment = make();
    const before = payment.snapshot;
    expect(() => payment.void(later)).toThrow(InvalidPaymentTransitionError);
    expect(payment.snapshot).toBe(before);
  });

  it.each([
    ['authorized', authorized],
    ['captured', captured],
    ['voided after authorization', voided],
    ['declined', declined],
  ])('cannot refuse an authorization for a %s payment', (_state, make) => {
    expect(() => make().refuseAuthorization(later)).toThrow(InvalidPaymentTransitionError);
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
