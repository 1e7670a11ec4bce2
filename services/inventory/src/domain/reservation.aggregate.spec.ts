import { IllegalReservationTransitionError, InvalidQuantityError } from './inventory.errors';
import { ReservationLines } from './reservation-lines.value-object';
import { Reservation } from './reservation.aggregate';

const placedAt = new Date('2026-03-01T10:00:00Z');
const later = new Date('2026-03-01T10:05:00Z');
const orderId = '7b0d7d4e-8a51-4d0b-9d43-2f3c36c5b8a1';

function placed(): Reservation {
  return Reservation.place(
    { id: 'r1', orderId, lines: ReservationLines.of([{ sku: 'AUD-0001', quantity: 2 }]), ttlSeconds: 900 },
    placedAt,
  );
}

describe('Reservation', () => {
  it('is placed reserved, expiring its time to live after placing, and announces the reserved stock', () => {
    const reservation = placed();
    expect(reservation.status).toBe('reserved');
    expect(reservation.snapshot.expiresAt).toEqual(new Date('2026-03-01T10:15:00Z'));
    expect(reservation.pullEvents()).toEqual([{ kind: 'StockReserved', reservation: reservation.snapshot, occurredAt: placedAt }]);
    expect(reservation.pullEvents()).toEqual([]);
  });

  it('cannot be placed without lines or with a time to live below one second', () => {
    const lines = ReservationLines.of([{ sku: 'AUD-0001', quantity: 1 }]);
    expect(() => Reservation.place({ id: 'r', orderId, lines: ReservationLines.none, ttlSeconds: 60 }, placedAt)).toThrow(
      InvalidQuantityError,
    );
    expect(() => Reservation.place({ id: 'r', orderId, lines, ttlSeconds: 0 }, placedAt)).toThrow(InvalidQuantityError);
    expect(() => Reservation.place({ id: 'r', orderId, lines, ttlSeconds: 1.5 }, placedAt)).toThrow(InvalidQuantityError);
  });

  it('commits a reserved reservation and announces it', () => {
    const reservation = placed();
    reservation.pullEvents();
    reservation.commit(later);
    expect(reservation.status).toBe('committed');
    expect(reservation.snapshot.updatedAt).toEqual(later);
    expect(reservation.pullEvents()).toEqual([{ kind: 'ReservationCommitted', reservation: reservation.snapshot, occurredAt: later }]);
  });

  it('releases a reserved reservation with the reason given', () => {
    const reservation = placed();
    reservation.pullEvents();
    reservation.release('payment_failed', later);
    expect(reservation.status).toBe('released');
    expect(reservation.isTombstone).toBe(false);
    expect(reservation.pullEvents()).toEqual([
      { kind: 'ReservationReleased', orderId, reservationId: 'r1', reason: 'payment_failed', occurredAt: later },
    ]);
  });

  it('refuses to commit a released reservation, saying why, and sells nothing', () => {
    const reservation = placed();
    reservation.release('expired', later);
    reservation.pullEvents();
    expect(reservation.commit(later)).toBe(false);
    expect(reservation.status).toBe('released');
    expect(reservation.pullEvents()).toEqual([
      { kind: 'ReservationCommitRefused', orderId, reservationId: 'r1', reason: 'expired', occurredAt: later },
    ]);
  });

  it('cannot release a committed reservation', () => {
    const reservation = placed();
    reservation.commit(later);
    expect(() => reservation.release('cancelled', later)).toThrow(IllegalReservationTransitionError);
    expect(reservation.status).toBe('committed');
  });

  it('answers a commit, a release or a reservation asked for again with the same answer, changing nothing', () => {
    const committed = placed();
    committed.pullEvents();
    committed.commit(placedAt);
    const [first] = committed.pullEvents();
    const before = committed.snapshot;
    expect(committed.commit(later)).toBe(false);
    expect(committed.snapshot).toBe(before);
    expect(committed.pullEvents()).toEqual([{ ...first, occurredAt: later }]);

    const released = placed();
    released.release('cancelled', placedAt);
    released.pullEvents();
    expect(released.release('another reason', later)).toBe(false);
    expect(released.pullEvents()).toEqual([
      { kind: 'ReservationReleased', orderId, reservationId: 'r1', reason: 'cancelled', occurredAt: later },
    ]);

    const reserved = placed();
    reserved.pullEvents();
    reserved.answerReservationAgain(later);
    expect(reserved.pullEvents()).toEqual([{ kind: 'StockReserved', reservation: reserved.snapshot, occurredAt: later }]);
    released.answerReservationAgain(later);
    expect(released.pullEvents()).toEqual([
      { kind: 'StockReservationFailed', orderId, reason: 'order_released', shortages: [], occurredAt: later },
    ]);
  });

  it('as a tombstone holds nothing, announces a release without a reservation id and refuses a commit', () => {
    const tombstone = Reservation.tombstone({ id: 't1', orderId, reason: 'order_cancelled' }, placedAt);
    expect(tombstone.isTombstone).toBe(true);
    expect(tombstone.snapshot.lines.items).toEqual([]);
    expect(tombstone.pullEvents()).toEqual([
      { kind: 'ReservationReleased', orderId, reservationId: null, reason: 'order_cancelled', occurredAt: placedAt },
    ]);
    expect(tombstone.commit(later)).toBe(false);
    expect(tombstone.pullEvents()).toEqual([
      { kind: 'ReservationCommitRefused', orderId, reservationId: null, reason: 'order_cancelled', occurredAt: later },
    ]);
  });

  it('is expired only while reserved and once its expiry has passed', () => {
    const reservation = placed();
    expect(reservation.isExpired(later)).toBe(false);
    expect(reservation.isExpired(new Date('2026-03-01T10:15:00Z'))).toBe(true);
    reservation.commit(later);
    expect(reservation.isExpired(new Date('2026-03-02T00:00:00Z'))).toBe(false);
  });
});
