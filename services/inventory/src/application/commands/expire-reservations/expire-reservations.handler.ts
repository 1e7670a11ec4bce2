import { Inject, Injectable } from '@nestjs/common';
import { UNIT_OF_WORK, type UnitOfWork } from '@storefront/ddd';
import { RESERVATION_REPOSITORY, type ReservationRepository } from '../../../domain/inventory.repository';
import { ReleaseReservationHandler } from '../release-reservation/release-reservation.handler';

const EXPIRY_REASON = 'expired';

@Injectable()
export class ExpireReservationsHandler {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly unitOfWork: UnitOfWork,
    @Inject(RESERVATION_REPOSITORY) private readonly reservations: ReservationRepository,
    private readonly release: ReleaseReservationHandler,
  ) {}

  /**
   * Releases reserved reservations whose expiry has passed, exactly as a release command would,
   * each in a transaction of its own; returns how many. At most `limit` per call, so one sweep
   * never runs unbounded.
   */
  async execute(now: Date, limit = 100): Promise<number> {
    let released = 0;
    while (released < limit) {
      const claimed = await this.unitOfWork.run(async (tx) => {
        const reservation = await this.reservations.claimExpired(now, tx);
        if (!reservation) return false;
        await this.release.releaseHeld(reservation, EXPIRY_REASON, now, tx);
        return true;
      });
      if (!claimed) break;
      released += 1;
    }
    return released;
  }
}
