import { Inject, Injectable } from '@nestjs/common';
import { Sweeper } from '@storefront/service-kit';
import { ExpireReservationsHandler } from '../../application/commands/expire-reservations/expire-reservations.handler';
import { INVENTORY_CONFIG, type InventoryConfig } from '../../config';

/**
 * Every RESERVATION_SWEEP_INTERVAL_MS, releases the reservations whose time ran out. Every replica
 * sweeps; the claim query skips reservations another replica holds, so none is released twice.
 */
@Injectable()
export class ReservationExpiryScheduler extends Sweeper {
  constructor(
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
    private readonly expireReservations: ExpireReservationsHandler,
  ) {
    super();
  }

  protected get intervalMs(): number {
    return this.config.RESERVATION_SWEEP_INTERVAL_MS;
  }

  protected async sweep(): Promise<void> {
    const released = await this.expireReservations.execute(new Date());
    if (released > 0) this.logger.log({ released }, 'released expired reservations');
  }
}
