import { randomUUID } from 'node:crypto';
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
   * reserved → released. For an order with no reservation yet, leaves a tombstone so that a reserve
   * command overtaken by this release is refused when it arrives. A repeat changes nothing and
   * announces the release again.
   */
  async execute(command: ReleaseReservationCommand, tx: Transaction): Promise<void> {
    const now = new Date();
    const reservation = await this.reservations.findByOrderId(command.orderId, tx);
    if (!reservation) {
      const tombstone = Reservation.tombstone({ id: randomUUID(), orderId: command.orderId, reason: command.reason }, now);
      await this.reservations.insert(tombstone, tx);
      await this.events.append(tombstone.pullEvents(), tx);
      return;
    }
    if (reservation.status === 'committed') {
      // The saga never releases what it had committed: report it, nothing to undo.
      this.logger.warn(
        { orderId: command.orderId, reservationId: reservation.snapshot.id },
        'release ignored: the reservation is committed',
      );
      return;
    }
    await this.releaseHeld(reservation, command.reason, now, tx);
  }

  /** Returns the units of a reservation (unless released before); also how the sweeper releases expired ones. */
  async releaseHeld(reservation: Reservation, reason: string, now: Date, tx: Transaction): Promise<void> {
    if (!reservation.release(reason, now)) {
      await this.events.append(reservation.pullEvents(), tx);
      return;
    }
    const levels = await this.stock.release(reservation.snapshot.lines, tx);
    await this.reservations.update(reservation, tx);
    await this.events.append([...reservation.pullEvents(), ...levels.map((level) => stockChanged(level, 'released', now))], tx);
  }
}
