import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { StockChangedV1, type EnvelopeOf } from '@storefront/contracts';
import { HandlesEvent, MessagingRuntime, reportProjectionLag, type SqlTransaction } from '@storefront/messaging';
import { HealthRegistry } from '@storefront/service-kit';
import { AVAILABILITY_READER, type AvailabilityReader } from '../../application/ports/availability.port';
import { AvailabilityProjection } from '../../infrastructure/projections/availability.projection';

export const CATALOG_AVAILABILITY_CONSUMER = 'catalog-availability';

/**
 * Keeps the availability read model from inventory's stock levels (INVENTORY stream, durable
 * consumer catalog-availability), and reports how far behind it is on /health/ready and /metrics.
 */
@Injectable()
export class InventoryStockConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly projection: AvailabilityProjection,
    private readonly runtime: MessagingRuntime,
    private readonly health: HealthRegistry,
    @Inject(AVAILABILITY_READER) private readonly availability: AvailabilityReader,
  ) {}

  onApplicationBootstrap(): void {
    reportProjectionLag({
      service: 'catalog',
      projection: 'availability',
      consumers: [CATALOG_AVAILABILITY_CONSUMER],
      runtime: this.runtime,
      health: this.health,
      lastEventAt: () => this.availability.lastEventAt(),
    });
  }

  @HandlesEvent(StockChangedV1, { consumer: CATALOG_AVAILABILITY_CONSUMER })
  async onStockChanged(event: EnvelopeOf<typeof StockChangedV1>, tx: SqlTransaction): Promise<void> {
    await this.projection.applyLater(tx, event);
  }
}
