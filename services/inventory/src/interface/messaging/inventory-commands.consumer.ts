import { Injectable } from '@nestjs/common';
import { CommitReservationV1, ReleaseReservationV1, ReserveStockV1, type EnvelopeOf } from '@storefront/contracts';
import { HandlesEvent, type SqlTransaction } from '@storefront/messaging';
import { CommitReservationHandler } from '../../application/commands/commit-reservation/commit-reservation.handler';
import { ReleaseReservationHandler } from '../../application/commands/release-reservation/release-reservation.handler';
import { ReserveStockHandler } from '../../application/commands/reserve-stock/reserve-stock.handler';
import { asTransaction } from '../../infrastructure/prisma/prisma-unit-of-work';

/**
 * One durable consumer for the three commands: they share the INVENTORY stream, and NATS 2.9 (the
 * oldest server supported) filters a consumer on one subject or a whole stream. Replicas share it, each taking its own messages.
 */
export const INVENTORY_COMMANDS_CONSUMER = 'inventory-commands';

/**
 * The order saga's commands. Each runs in the transaction that records the message in the inbox,
 * so a redelivered command has no second effect.
 */
@Injectable()
export class InventoryCommandsConsumer {
  constructor(
    private readonly reserveStock: ReserveStockHandler,
    private readonly commitReservation: CommitReservationHandler,
    private readonly releaseReservation: ReleaseReservationHandler,
  ) {}

  @HandlesEvent(ReserveStockV1, { consumer: INVENTORY_COMMANDS_CONSUMER })
  async onReserveStock(command: EnvelopeOf<typeof ReserveStockV1>, tx: SqlTransaction): Promise<void> {
    await this.reserveStock.execute(command.payload, asTransaction(tx));
  }

  @HandlesEvent(CommitReservationV1, { consumer: INVENTORY_COMMANDS_CONSUMER })
  async onCommitReservation(command: EnvelopeOf<typeof CommitReservationV1>, tx: SqlTransaction): Promise<void> {
    await this.commitReservation.execute(command.payload, asTransaction(tx));
  }

  @HandlesEvent(ReleaseReservationV1, { consumer: INVENTORY_COMMANDS_CONSUMER })
  async onReleaseReservation(command: EnvelopeOf<typeof ReleaseReservationV1>, tx: SqlTransaction): Promise<void> {
    await this.releaseReservation.execute(command.payload, asTransaction(tx));
  }
}
