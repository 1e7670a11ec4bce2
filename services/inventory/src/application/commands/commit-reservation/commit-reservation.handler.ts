import { Inject, Injectable, Logger } from '@nestjs/common';
import { stockChanged } from '../../../domain/inventory.domain-event';
import {
  INVENTORY_EVENT_REPOSITORY,
  type InventoryEventRepository,
  RESERVATION_REPOSITORY,
  type ReservationRepository,
  STOCK_REPOSITORY,
  type StockRepository,
  type Transaction,
} from '../../../domain/inventory.repository';
import type { CommitReservationCommand } from './commit-reservation.command';

const NOTHING_RESERVED = 'no stock was reserved for the order';

@Injectable()
export class CommitReservationHandler {
  private readonly logger = new Logger(CommitReservationHandler.name);

  constructor(
    @Inject(STOCK_REPOSITORY) private readonly stock: StockRepository,
    @Inject(RESERVATION_REPOSITORY) private readonly reservations: ReservationRepository,
    @Inject(INVENTORY_EVENT_REPOSITORY) private readonly events: InventoryEventRepository,
  ) {}

  /**
   * RESERVED → COMMITTED, answered with reservation-committed (again, for a repeat). A reservation
   * that ended first (expired, released) or never existed is not sold: the answer is
   * reservation-commit-failed, and the saga voids the payment instead of capturing it.
   */
  async execute(command: CommitReservationCommand, tx: Transaction): Promise<void> {
    const now = new Date();
    const reservation = await this.reservations.findByOrderId(tx, command.orderId);
    if (!reservation) {
      this.logger.warn({ orderId: command.orderId }, 'commit refused: the order has no reservation');
      await this.events.append(tx, {
        kind: 'ReservationCommitRefused',
        orderId: command.orderId,
        reservationId: null,
        reason: NOTHING_RESERVED,
        occurredAt: now,
      });
      return;
    }
    if (!reservation.commit(now)) {
      if (reservation.status === 'RELEASED') {
        this.logger.warn({ orderId: command.orderId, reservationId: reservation.snapshot.id }, 'commit refused: the reservation was released');
      }
      await this.events.append(tx, ...reservation.pullEvents());
      return;
    }
    const levels = await this.stock.commit(tx, reservation.snapshot.lines);
    await this.reservations.update(tx, reservation);
    await this.events.append(tx, ...reservation.pullEvents(), ...levels.map((level) => stockChanged(level, 'committed', now)));
  }
}
