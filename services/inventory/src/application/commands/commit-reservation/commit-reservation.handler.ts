import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Transaction } from '@storefront/ddd';
import { stockChanged } from '../../../domain/inventory.domain-event';
import {
  INVENTORY_EVENT_REPOSITORY,
  RESERVATION_REPOSITORY,
  STOCK_REPOSITORY,
  type InventoryEventRepository,
  type ReservationRepository,
  type StockRepository,
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
   * reserved → committed, answered with reservation-committed (again, for a repeat). A reservation
   * that ended first (expired, released) or never existed is not sold: the answer is
   * reservation-commit-failed, and the saga voids the payment instead of capturing it.
   */
  async execute(command: CommitReservationCommand, tx: Transaction): Promise<void> {
    const now = new Date();
    const reservation = await this.reservations.findByOrderId(command.orderId, tx);
    if (!reservation) {
      this.logger.warn({ orderId: command.orderId }, 'commit refused: the order has no reservation');
      await this.events.append(
        [
          {
            kind: 'ReservationCommitRefused',
            orderId: command.orderId,
            reservationId: null,
            reason: NOTHING_RESERVED,
            occurredAt: now,
          },
        ],
        tx,
      );
      return;
    }
    if (!reservation.commit(now)) {
      if (reservation.status === 'released') {
        this.logger.warn(
          { orderId: command.orderId, reservationId: reservation.snapshot.id },
          'commit refused: the reservation was released',
        );
      }
      await this.events.append(reservation.pullEvents(), tx);
      return;
    }
    const levels = await this.stock.commit(reservation.snapshot.lines, tx);
    await this.reservations.update(reservation, tx);
    await this.events.append([...reservation.pullEvents(), ...levels.map((level) => stockChanged(level, 'committed', now))], tx);
  }
}
