import { randomUUID } from 'node:crypto';
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
import { Reservation } from '../../../domain/reservation.aggregate';
import type { ReleaseReservationCommand } from './release-reservation.command';

@Injectable()
export class ReleaseReservationHandler {
  private readonly logger = new Logger(ReleaseReservationHandler.name);

  constructor(
    @Inject(STOCK_REPOSITORY) private readonly stock: StockRepository,
    @Inject(RESERVATION_REPOSITORY) private readonly reservations: ReservationRepository,
    @Inject(INVENTORY_EVENT_REPOSITORY) private readonly events: InventoryEventRepository,
  ) {}

  /**
   * RESERVED → RELEASED. For an order with no reservation yet, leaves a tombstone so that a reserve
   * command overtaken by this release is refused when it arrives. A repeat changes nothing and
   * announces the release again.
   */
  async execute(command: ReleaseReservationCommand, tx: Transaction): Promise<void> {
    const now = new Date();
    const reservation = await this.reservations.findByOrderId(tx, command.orderId);
    if (!reservation) {
      const tombstone = Reservation.tombstone({ id: randomUUID(), orderId: command.orderId, reason: command.reason }, now);
      await this.reservations.insert(tx, tombstone);
      await this.events.append(tx, ...tombstone.pullEvents());
      return;
    }
    if (reservation.status === 'COMMITTED') {
      // The saga never releases what it had committed: report it, nothing to undo.
      this.logger.warn({ orderId: command.orderId, reservationId: reservation.snapshot.id }, 'release ignored: the reservation is committed');
      return;
    }
    await this.releaseHeld(tx, reservation, command.reason, now);
  }

  /** Returns the units of a reservation (unless released before); also how the sweeper releases expired ones. */
  async releaseHeld(tx: Transaction, reservation: Reservation, reason: string, now: Date): Promise<void> {
    if (!reservation.release(reason, now)) {
      await this.events.append(tx, ...reservation.pullEvents());
      return;
    }
    const levels = await this.stock.release(tx, reservation.snapshot.lines);
    await this.reservations.update(tx, reservation);
    await this.events.append(tx, ...reservation.pullEvents(), ...levels.map((level) => stockChanged(level, 'released', now)));
  }
}
