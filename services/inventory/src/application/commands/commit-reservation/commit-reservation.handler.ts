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

@Injectable()
export class CommitReservationHandler {
  private readonly logger = new Logger(CommitReservationHandler.name);

  constructor(
    @Inject(STOCK_REPOSITORY) private readonly stock: StockRepository,
    @Inject(RESERVATION_REPOSITORY) private readonly reservations: ReservationRepository,
    @Inject(INVENTORY_EVENT_REPOSITORY) private readonly events: InventoryEventRepository,
  ) {}

  /** RESERVED → COMMITTED. A repeat changes nothing; a released or unknown reservation is only logged. */
  async execute(command: CommitReservationCommand, tx: Transaction): Promise<void> {
    const reservation = await this.reservations.findByOrderId(tx, command.orderId);
    if (!reservation) {
      this.logger.warn({ orderId: command.orderId }, 'commit ignored: the order has no reservation');
      return;
    }
    if (reservation.status === 'COMMITTED') return;
    if (reservation.status === 'RELEASED') {
      // The sweeper or a release got there first; the saga has to compensate (the units may be sold elsewhere).
      this.logger.warn({ orderId: command.orderId, reservationId: reservation.snapshot.id }, 'commit ignored: the reservation was released');
      return;
    }
    const now = new Date();
    reservation.commit(now);
    const levels = await this.stock.commit(tx, reservation.snapshot.lines);
    await this.reservations.update(tx, reservation);
    await this.events.append(tx, ...reservation.pullEvents(), ...levels.map((level) => stockChanged(level, 'committed', now)));
  }
}
