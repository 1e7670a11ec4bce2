import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ExpireReservationsHandler } from '../../application/commands/expire-reservations/expire-reservations.handler';
import { INVENTORY_CONFIG, type InventoryConfig } from '../../config';

/**
 * Every RESERVATION_SWEEP_INTERVAL_MS, releases the reservations whose time ran out. Every replica
 * sweeps; the claim query skips reservations another replica holds, so none is released twice.
 */
@Injectable()
export class ReservationExpiryScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReservationExpiryScheduler.name);
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private stopped = false;

  constructor(
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
    private readonly expireReservations: ExpireReservationsHandler,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  /** Runs before the database client closes (this module's hooks come before the database client module's). */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sweeping = this.sweep().finally(() => {
        this.sweeping = undefined;
        this.schedule();
      });
    }, this.config.RESERVATION_SWEEP_INTERVAL_MS);
  }

  private async sweep(): Promise<void> {
    try {
      const released = await this.expireReservations.execute(new Date());
      if (released > 0) this.logger.log({ released }, 'released expired reservations');
    } catch (error) {
      // The next sweep tries again; nothing was half done (each release is one transaction).
      this.logger.warn({ err: error }, 'sweeping expired reservations failed');
    }
  }
}
