import { AggregateRoot } from '@storefront/ddd';
import type { InventoryDomainEvent } from './inventory.domain-event';
import { IllegalReservationTransitionError, InvalidQuantityError } from './inventory.errors';
import { ReservationLines } from './reservation-lines.value-object';

/**
 * reserved → committed (the order is paid) or reserved → released (cancelled, failed or expired).
 * Both ends are final. A released reservation without lines is a tombstone: the order was released
 * before any stock was reserved, and a reservation arriving later is refused. A command repeated
 * after the reservation answered it gets the same answer again (its first reply may have been
 * lost); a commit after the release is refused with a reply, so the saga never charges for units
 * that are back on sale.
 */
export type ReservationStatus = 'reserved' | 'committed' | 'released';

export interface ReservationState {
  readonly id: string;
  readonly orderId: string;
  readonly status: ReservationStatus;
  readonly lines: ReservationLines;
  /** When an unconfirmed reservation is released by the sweeper. */
  readonly expiresAt: Date;
  /** Why it was released; null unless released. */
  readonly releaseReason: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Stock held for one order. The stock counters move in the database; this guards the lifecycle. */
export class Reservation extends AggregateRoot<InventoryDomainEvent> {
  private constructor(private state: ReservationState) {
    super();
  }

  /** Records stock already taken from `available` for the order, held for `ttlSeconds`. */
  static place(input: { id: string; orderId: string; lines: ReservationLines; ttlSeconds: number }, now: Date): Reservation {
    if (input.lines.isEmpty) throw new InvalidQuantityError({ path: 'lines', message: 'must hold at least one line' });
    if (!Number.isSafeInteger(input.ttlSeconds) || input.ttlSeconds < 1) {
      throw new InvalidQuantityError({ path: 'ttlSeconds', message: 'must be a whole number of seconds, at least 1' });
    }
    const reservation = new Reservation({
      id: input.id,
      orderId: input.orderId,
      status: 'reserved',
      lines: input.lines,
      expiresAt: new Date(now.getTime() + input.ttlSeconds * 1_000),
      releaseReason: null,
      createdAt: now,
      updatedAt: now,
    });
    reservation.record({ kind: 'StockReserved', reservation: reservation.state, occurredAt: now });
    return reservation;
  }

  /** Marks an order released before anything was reserved for it. */
  static tombstone(input: { id: string; orderId: string; reason: string }, now: Date): Reservation {
    const reservation = new Reservation({
      id: input.id,
      orderId: input.orderId,
      status: 'released',
      lines: ReservationLines.none,
      expiresAt: now,
      releaseReason: input.reason,
      createdAt: now,
      updatedAt: now,
    });
    reservation.record({
      kind: 'ReservationReleased',
      orderId: input.orderId,
      reservationId: null,
      reason: input.reason,
      occurredAt: now,
    });
    return reservation;
  }

  /** Rebuilds a reservation loaded from storage. */
  static restore(state: ReservationState): Reservation {
    return new Reservation(state);
  }

  /** The saga asked for the stock again after it was answered: the same answer again. */
  answerReservationAgain(now: Date): void {
    if (this.state.status === 'released') {
      this.record({
        kind: 'StockReservationFailed',
        orderId: this.state.orderId,
        reason: 'order_released',
        shortages: [],
        occurredAt: now,
      });
      return;
    }
    this.record({ kind: 'StockReserved', reservation: this.state, occurredAt: now });
  }

  /**
   * The order's payment is authorized: its reserved units become sold ones. True when they did;
   * false when they were sold before (the answer is repeated) or the reservation ended first (the
   * commit is refused, nothing is sold).
   */
  commit(now: Date): boolean {
    if (this.state.status === 'committed') {
      this.record({ kind: 'ReservationCommitted', reservation: this.state, occurredAt: now });
      return false;
    }
    if (this.state.status === 'released') {
      this.record({
        kind: 'ReservationCommitRefused',
        orderId: this.state.orderId,
        reservationId: this.isTombstone ? null : this.state.id,
        reason: this.state.releaseReason ?? 'released',
        occurredAt: now,
      });
      return false;
    }
    this.moveTo('committed', now);
    this.record({ kind: 'ReservationCommitted', reservation: this.state, occurredAt: now });
    return true;
  }

  /**
   * The order will not complete: its reserved units become available again. True when they did;
   * false when it was released before (the answer is repeated). A sold reservation cannot be released.
   */
  release(reason: string, now: Date): boolean {
    if (this.state.status === 'released') {
      this.record({
        kind: 'ReservationReleased',
        orderId: this.state.orderId,
        reservationId: this.isTombstone ? null : this.state.id,
        reason: this.state.releaseReason ?? reason,
        occurredAt: now,
      });
      return false;
    }
    this.moveTo('released', now);
    this.state = { ...this.state, releaseReason: reason };
    this.record({
      kind: 'ReservationReleased',
      orderId: this.state.orderId,
      reservationId: this.state.id,
      reason,
      occurredAt: now,
    });
    return true;
  }

  isExpired(now: Date): boolean {
    return this.state.status === 'reserved' && this.state.expiresAt.getTime() <= now.getTime();
  }

  get isTombstone(): boolean {
    return this.state.status === 'released' && this.state.lines.isEmpty;
  }

  get status(): ReservationStatus {
    return this.state.status;
  }

  get snapshot(): ReservationState {
    return this.state;
  }

  private moveTo(status: ReservationStatus, now: Date): void {
    if (this.state.status !== 'reserved') {
      throw new IllegalReservationTransitionError(this.state.orderId, this.state.status, status);
    }
    this.state = { ...this.state, status, updatedAt: now };
  }
}
