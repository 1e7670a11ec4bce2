import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import {
  OrderCancelledV1,
  OrderConfirmedV1,
  OrderPlacedV1,
  OrderRejectedV1,
  PaymentAuthorizedV1,
  PaymentCapturedV1,
  PaymentFailedV1,
  PaymentVoidedV1,
  ProductCreatedV1,
  ProductUpdatedV1,
  ReservationCommitFailedV1,
  ReservationCommittedV1,
  ReservationReleasedV1,
  StockReservationFailedV1,
  StockReservedV1,
  type EnvelopeOf,
  type EventDefinition,
} from '@storefront/contracts';
import { HandlesEvent, MessagingRuntime, reportProjectionLag, type SqlTransaction } from '@storefront/messaging';
import { HealthRegistry } from '@storefront/service-kit';
import { ORDER_HISTORY_READER, type OrderHistoryReader } from '../../application/ports/order-history.port';
import { applyToOrderHistory, LIVE_ORDER_HISTORY } from '../../infrastructure/projections/order-history.projection';

/** Durable consumer (and inbox) names of the order history, one per source stream. */
const ORDER_HISTORY_CONSUMERS = {
  orders: 'order-history-orders',
  inventory: 'order-history-inventory',
  payment: 'order-history-payment',
  catalog: 'order-history-catalog',
} as const;

/**
 * Feeds the order history read model. Its consumers are its own (one per stream), independent of
 * the saga's, so the read model can lag, be rebuilt or replayed without touching the saga. Reports
 * how far behind it is on /health/ready and /metrics.
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

  @HandlesEvent([OrderPlacedV1, OrderConfirmedV1, OrderCancelledV1, OrderRejectedV1], { consumer: ORDER_HISTORY_CONSUMERS.orders })
  fromOrders(event: EnvelopeOf<EventDefinition>, tx: SqlTransaction, definition: EventDefinition): Promise<void> {
    return applyToOrderHistory(tx, LIVE_ORDER_HISTORY, definition, event);
  }

  @HandlesEvent([StockReservedV1, StockReservationFailedV1, ReservationCommittedV1, ReservationCommitFailedV1, ReservationReleasedV1], {
    consumer: ORDER_HISTORY_CONSUMERS.inventory,
  })
  fromInventory(event: EnvelopeOf<EventDefinition>, tx: SqlTransaction, definition: EventDefinition): Promise<void> {
    return applyToOrderHistory(tx, LIVE_ORDER_HISTORY, definition, event);
  }

  @HandlesEvent([PaymentAuthorizedV1, PaymentFailedV1, PaymentCapturedV1, PaymentVoidedV1], { consumer: ORDER_HISTORY_CONSUMERS.payment })
  fromPayment(event: EnvelopeOf<EventDefinition>, tx: SqlTransaction, definition: EventDefinition): Promise<void> {
    return applyToOrderHistory(tx, LIVE_ORDER_HISTORY, definition, event);
  }

  @HandlesEvent([ProductCreatedV1, ProductUpdatedV1], { consumer: ORDER_HISTORY_CONSUMERS.catalog })
  fromCatalog(event: EnvelopeOf<EventDefinition>, tx: SqlTransaction, definition: EventDefinition): Promise<void> {
    return applyToOrderHistory(tx, LIVE_ORDER_HISTORY, definition, event);
  }
}
