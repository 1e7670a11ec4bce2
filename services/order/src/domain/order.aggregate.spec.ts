import fc from 'fast-check';
import { Money } from '@storefront/ddd';
import { Order, type StepTimeouts } from './order.aggregate';
import { IllegalOrderTransitionError, OrderNotCancellableError } from './order.errors';

const timeouts: StepTimeouts = { stockReservationMs: 1_000, paymentMs: 2_000, captureMs: 3_000 };
const t0 = new Date('2026-01-01T00:00:00Z');
const later = (ms: number) => new Date(t0.getTime() + ms);
const address = { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };

function placed(): Order {
  const order = Order.place(
    {
      id: 'o1',
      customerId: 'c1',
      paymentToken: 'tok_visa',
      shippingAddress: address,
      lines: [
        { productId: 'p1', sku: 'A-1', name: 'A', quantity: 2, unitPrice: Money.of(1_000, 'USD') },
        { productId: 'p2', sku: 'B-1', name: 'B', quantity: 1, unitPrice: Money.of(250, 'USD') },
      ],
    },
    t0,
    timeouts,
  );
  order.pullEvents();
  return order;
}

const kinds = (order: Order) => order.pullEvents().map((event) => event.kind);

describe('Order', () => {
  it('is placed with line totals, a total, a stock deadline and a reservation request', () => {
    const order = Order.place(
      {
        id: 'o1',
        customerId: 'c1',
        paymentToken: 'tok_visa',
        shippingAddress: address,
        lines: [{ productId: 'p1', sku: 'A-1', name: 'A', quantity: 3, unitPrice: Money.of(999, 'USD') }],
      },
      t0,
      timeouts,
    );
    expect(order.snapshot).toMatchObject({ status: 'placed', total: { amountMinor: 2_997 }, stepDeadlineAt: later(1_000) });
    expect(kinds(order)).toEqual(['OrderPlaced']);
  });

  it('totals any set of lines exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ price: fc.integer({ min: 0, max: 100_000 }), quantity: fc.integer({ min: 1, max: 100 }) }), {
          minLength: 1,
          maxLength: 20,
        }),
        (lines) => {
          const order = Order.place(
            {
              id: 'o',
              customerId: 'c',
              paymentToken: 'tok_visa',
              shippingAddress: address,
              lines: lines.map((line, index) => ({
                productId: `p${index}`,
                sku: `S-${index}`,
                name: 'x',
                quantity: line.quantity,
                unitPrice: Money.of(line.price, 'USD'),
              })),
            },
            t0,
            timeouts,
          );
          expect(order.snapshot.total.amountMinor).toBe(lines.reduce((sum, line) => sum + line.price * line.quantity, 0));
        },
      ),
    );
  });

  it('goes placed → stock reserved → payment authorized → stock sold → confirmed, asking for the next step each time', () => {
    const order = placed();
    order.stockReserved(later(10), timeouts);
    expect(order.snapshot).toMatchObject({ status: 'stock_reserved', stepDeadlineAt: later(2_010) });
    expect(kinds(order)).toEqual(['PaymentRequested']);
    order.paymentAuthorized(later(20), timeouts);
    expect(order.snapshot).toMatchObject({ status: 'payment_authorized', paymentToken: null, stepDeadlineAt: later(3_020) });
    expect(kinds(order)).toEqual(['CommitRequested']);
    order.stockCommitted(later(25), timeouts);
    expect(order.snapshot).toMatchObject({ status: 'payment_authorized', stepDeadlineAt: later(3_025) });
    expect(kinds(order)).toEqual(['CaptureRequested']);
    order.paymentCaptured(later(30));
    expect(order.snapshot).toMatchObject({ status: 'confirmed', stepDeadlineAt: null });
    expect(kinds(order)).toEqual(['OrderConfirmed']);
  });

  it('voids the authorization and cancels, charging nothing, when the stock commit is refused', () => {
    const order = placed();
    order.stockReserved(later(1), timeouts);
    order.paymentAuthorized(later(2), timeouts);
    order.pullEvents();
    order.stockCommitFailed('expired', later(3), timeouts);
    expect(order.snapshot).toMatchObject({ status: 'cancelled', stepDeadlineAt: later(2_003) });
    expect(order.snapshot.statusReason).toContain('expired');
    expect(order.pullEvents()).toEqual([expect.objectContaining({ kind: 'OrderCancelled', releaseStock: false, voidPayment: true })]);
  });

  it('changes nothing for a reply that repeats one it applied already', () => {
    const order = placed();
    order.stockReserved(later(1), timeouts);
    order.paymentAuthorized(later(2), timeouts);
    order.stockCommitted(later(3), timeouts);
    order.pullEvents();
    const authorized = order.snapshot;
    order.stockReserved(later(4), timeouts);
    order.paymentAuthorized(later(5), timeouts);
    expect(order.snapshot).toBe(authorized);
    expect(kinds(order)).toEqual([]);
    order.paymentCaptured(later(6));
    order.pullEvents();
    const confirmed = order.snapshot;
    for (const reply of [
      () => order.stockReserved(later(7), timeouts),
      () => order.paymentAuthorized(later(7), timeouts),
      () => order.stockCommitted(later(7), timeouts),
      () => order.paymentCaptured(later(7)),
    ]) {
      reply();
    }
    expect(order.snapshot).toBe(confirmed);
    expect(kinds(order)).toEqual([]);

    const cancelled = placed();
    cancelled.stockReserved(later(1), timeouts);
    cancelled.paymentAuthorized(later(2), timeouts);
    cancelled.stockCommitFailed('expired', later(3), timeouts);
    cancelled.pullEvents();
    const before = cancelled.snapshot;
    cancelled.stockCommitFailed('expired', later(4), timeouts);
    cancelled.paymentFailed('declined', later(4));
    expect(cancelled.snapshot).toBe(before);
    expect(kinds(cancelled)).toEqual([]);
  });

  it('sends the void of a cancelled order again until payment confirms it', () => {
    const order = placed();
    order.stockReserved(later(1), timeouts);
    order.pullEvents();
    order.timeOut(later(5_000), timeouts);
    expect(order.snapshot).toMatchObject({ status: 'cancelled', stepDeadlineAt: later(7_000) });
    expect(order.pullEvents()).toEqual([expect.objectContaining({ kind: 'OrderCancelled', voidPayment: true })]);

    order.timeOut(later(7_000), timeouts);
    expect(order.snapshot).toMatchObject({ status: 'cancelled', stepDeadlineAt: later(9_000) });
    expect(kinds(order)).toEqual(['VoidRequested']);

    order.paymentVoided();
    order.paymentVoided();
    expect(order.snapshot).toMatchObject({ status: 'cancelled', stepDeadlineAt: null });
    expect(kinds(order)).toEqual([]);
  });

  it('waits for no void when nothing could have been authorized, and refuses a void reply for an order it never voided', () => {
    const declined = placed();
    declined.stockReserved(later(1), timeouts);
    declined.paymentFailed('declined', later(2));
    expect(declined.snapshot).toMatchObject({ status: 'cancelled', stepDeadlineAt: null });
    const early = placed();
    early.cancel(later(1), timeouts);
    expect(early.snapshot).toMatchObject({ status: 'cancelled', stepDeadlineAt: null });

    const late = placed();
    late.cancel(later(1), timeouts);
    late.pullEvents();
    late.paymentAuthorized(later(3), timeouts);
    expect(late.snapshot.stepDeadlineAt).toEqual(later(2_003));
    expect(kinds(late)).toEqual(['LatePaymentVoided']);

    const confirmed = placed();
    confirmed.stockReserved(later(1), timeouts);
    expect(() => confirmed.paymentVoided()).toThrow(IllegalOrderTransitionError);
  });

  it('asks for the capture again for a repeated commit reply, so a lost capture reply is answered again', () => {
    const order = placed();
    order.stockReserved(later(1), timeouts);
    order.paymentAuthorized(later(2), timeouts);
    order.stockCommitted(later(3), timeouts);
    order.pullEvents();
    order.stockCommitted(later(9), timeouts);
    expect(order.snapshot).toMatchObject({ status: 'payment_authorized', stepDeadlineAt: later(3_009) });
    expect(kinds(order)).toEqual(['CaptureRequested']);
  });

  it('is rejected, reserving nothing, when stock is short', () => {
    const order = placed();
    order.stockReservationFailed('not enough stock', later(5));
    expect(order.snapshot).toMatchObject({ status: 'rejected', statusReason: 'not enough stock' });
    expect(kinds(order)).toEqual(['OrderRejected']);
  });

  it('is cancelled with its reservation released when payment fails', () => {
    const order = placed();
    order.stockReserved(later(1), timeouts);
    order.pullEvents();
    order.paymentFailed('declined', later(2));
    const [event] = order.pullEvents();
    expect(order.snapshot.status).toBe('cancelled');
    expect(event).toMatchObject({ kind: 'OrderCancelled', releaseStock: true, voidPayment: false });
  });

  it('compensates replies that arrive after it was cancelled', () => {
    const order = placed();
    order.cancel(later(1), timeouts);
    order.pullEvents();
    order.stockReserved(later(2), timeouts);
    expect(kinds(order)).toEqual(['LateReservationReleased']);
    order.paymentAuthorized(later(3), timeouts);
    expect(kinds(order)).toEqual(['LatePaymentVoided']);
    expect(order.snapshot.status).toBe('cancelled');
  });

  it('times out each step: compensating before the payment is authorized, asking for the commit again after it', () => {
    const waiting = placed();
    waiting.timeOut(later(1_001), timeouts);
    expect(waiting.snapshot.statusReason).toBe('stock reservation timed out');
    expect(waiting.pullEvents()[0]).toMatchObject({ releaseStock: true, voidPayment: false });

    const paying = placed();
    paying.stockReserved(later(1), timeouts);
    paying.pullEvents();
    paying.timeOut(later(5_000), timeouts);
    expect(paying.pullEvents()[0]).toMatchObject({ kind: 'OrderCancelled', releaseStock: true, voidPayment: true });

    const capturing = placed();
    capturing.stockReserved(later(1), timeouts);
    capturing.paymentAuthorized(later(2), timeouts);
    capturing.pullEvents();
    capturing.timeOut(later(9_000), timeouts);
    expect(capturing.snapshot).toMatchObject({ status: 'payment_authorized', stepDeadlineAt: later(12_000) });
    expect(kinds(capturing)).toEqual(['CommitRequested']);
  });

  it('cannot be confirmed before its payment is authorized, nor sell stock it never had authorized', () => {
    const order = placed();
    expect(() => order.paymentCaptured(later(1))).toThrow(IllegalOrderTransitionError);
    expect(() => order.stockCommitted(later(1), timeouts)).toThrow(IllegalOrderTransitionError);
    expect(() => order.stockCommitFailed('expired', later(1), timeouts)).toThrow(IllegalOrderTransitionError);
    expect(order.snapshot.status).toBe('placed');
  });

  it('cannot be cancelled once its payment is being captured or it has ended', () => {
    const order = placed();
    order.stockReserved(later(1), timeouts);
    order.paymentAuthorized(later(2), timeouts);
    expect(() => order.cancel(later(3), timeouts)).toThrow(OrderNotCancellableError);
    order.paymentCaptured(later(4));
    expect(() => order.cancel(later(5), timeouts)).toThrow(OrderNotCancellableError);
  });
});
