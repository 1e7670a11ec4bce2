import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ProductCreatedV1, ProductUpdatedV1, ReservationReleasedV1, type EnvelopeOf, type EventDefinition } from '@storefront/contracts';
import { HandlesEvent, MessagingRuntime, reportProjectionLag, type SqlTransaction } from '@storefront/messaging';
import { HealthRegistry } from '@storefront/service-kit';
import { ORDER_HISTORY_READER, type OrderHistoryReader } from '../../application/ports/order-history.port';
import { applyToOrderHistory, LIVE_ORDER_HISTORY } from '../../infrastructure/projections/order-history.projection';

/** Durable consumer (and inbox) names of the order history, one per source stream. */
const ORDER_HISTORY_CONSUMERS = {
  releases: 'order-history-releases',
  catalog: 'order-history-catalog',
} as const;

/**
 * Feeds the order history with the events the saga does not apply: inventory's releases and
 * catalog's product names. The order's own facts and the replies the saga applies reach the history
 * in the saga's transaction (PrismaOrderRepository, SagaRepliesConsumer); all of them together are
 * what a rebuild replays from the streams. Reports how far behind it is on /health/ready and
 * /metrics.
 */
@Injectable()
export class OrderHistoryConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly runtime: MessagingRuntime,
    private readonly health: HealthRegistry,
    @Inject(ORDER_HISTORY_READER) private readonly history: OrderHistoryReader,
  ) {}

  onApplicationBootstrap(): void {
    reportProjectionLag({
      service: 'order',
      projection: 'order-history',
      consumers: Object.values(ORDER_HISTORY_CONSUMERS),
      runtime: this.runtime,
      health: this.health,
      lastEventAt: () => this.history.lastEventAt(),
    });
  }

  @HandlesEvent(ReservationReleasedV1, { consumer: ORDER_HISTORY_CONSUMERS.releases })
  fromInventory(event: EnvelopeOf<typeof ReservationReleasedV1>, tx: SqlTransaction): Promise<void> {
    return applyToOrderHistory(tx, LIVE_ORDER_HISTORY, ReservationReleasedV1, event);
  }

  @HandlesEvent([ProductCreatedV1, ProductUpdatedV1], { consumer: ORDER_HISTORY_CONSUMERS.catalog })
  fromCatalog(event: EnvelopeOf<EventDefinition>, tx: SqlTransaction, definition: EventDefinition): Promise<void> {
    return applyToOrderHistory(tx, LIVE_ORDER_HISTORY, definition, event);
  }
}
