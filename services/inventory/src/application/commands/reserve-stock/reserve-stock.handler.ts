import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Transaction } from '@storefront/ddd';
import { INVENTORY_CONFIG, type InventoryConfig } from '../../../config';
import { stockChanged } from '../../../domain/inventory.domain-event';
import {
  INVENTORY_EVENT_REPOSITORY,
  RESERVATION_REPOSITORY,
  STOCK_REPOSITORY,
  type InventoryEventRepository,
  type ReservationRepository,
  type StockRepository,
} from '../../../domain/inventory.repository';
import { ReservationLines } from '../../../domain/reservation-lines.value-object';
import { Reservation } from '../../../domain/reservation.aggregate';
import type { ReserveStockCommand } from './reserve-stock.command';

/** What became of the command: stock held, refused (announced), or answered again for a known order. */
export type ReserveStockOutcome = 'reserved' | 'refused' | 'unchanged';

@Injectable()
export class ReserveStockHandler {
  constructor(
    @Inject(STOCK_REPOSITORY) private readonly stock: StockRepository,
    @Inject(RESERVATION_REPOSITORY) private readonly reservations: ReservationRepository,
    @Inject(INVENTORY_EVENT_REPOSITORY) private readonly events: InventoryEventRepository,
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
  ) {}

  /**
   * Holds stock for every line or for none. A refusal is a business outcome, announced with
   * inventory.stock-reservation-failed.v1 and committed like a success, never an error to retry.
   */
  async execute(command: ReserveStockCommand, tx: Transaction): Promise<ReserveStockOutcome> {
    const now = new Date();
    const existing = await this.reservations.findByOrderId(command.orderId, tx);
    if (existing) {
      // The saga asked again (its reply may have been lost), or the order was released before it got here.
      existing.answerReservationAgain(now);
      await this.events.append(existing.pullEvents(), tx);
      return existing.status === 'released' ? 'refused' : 'unchanged';
    }

    const lines = ReservationLines.of(command.lines);
    const outcome = await this.stock.reserve(lines, tx);
    if (!outcome.reserved) {
      await this.events.append(
        [
          {
            kind: 'StockReservationFailed',
            orderId: command.orderId,
            reason: outcome.unknownSkus.length > 0 ? 'unknown_sku' : 'insufficient_stock',
            shortages: outcome.shortages,
            occurredAt: now,
          },
        ],
        tx,
      );
      return 'refused';
    }

    const reservation = Reservation.place(
      { id: randomUUID(), orderId: command.orderId, lines, ttlSeconds: this.config.RESERVATION_TTL_SECONDS },
      now,
    );
    await this.reservations.insert(reservation, tx);
    await this.events.append([...reservation.pullEvents(), ...outcome.levels.map((level) => stockChanged(level, 'reserved', now))], tx);
    return 'reserved';
  }
}
