import { Injectable } from '@nestjs/common';
import {
  type EnvelopeOf,
  type EventDefinition,
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
} from '@storefront/contracts';
import { HandlesEvent, type SqlTransaction } from '@storefront/messaging';
import { LIVE_ORDER_HISTORY, applyToOrderHistory } from '../../infrastructure/projections/order-history.projection';

/**
 * Feeds the order history read model. Its consumers are its own (one per stream), independent of
 * the saga's, so the read model can lag, be rebuilt or replayed without touching the saga.
 */
@Injectable()
export class OrderHistoryConsumer {
  @HandlesEvent([OrderPlacedV1, OrderConfirmedV1, OrderCancelledV1, OrderRejectedV1], { consumer: 'order-history-orders' })
  fromOrders(event: EnvelopeOf<EventDefinition>, tx: SqlTransaction, definition: EventDefinition): Promise<void> {
    return applyToOrderHistory(tx, LIVE_ORDER_HISTORY, definition, event);
  }

  @HandlesEvent([StockReservedV1, StockReservationFailedV1, ReservationCommittedV1, ReservationCommitFailedV1, ReservationReleasedV1], {
    consumer: 'order-history-inventory',
  })
  fromInventory(event: EnvelopeOf<EventDefinition>, tx: SqlTransaction, definition: EventDefinition): Promise<void> {
    return applyToOrderHistory(tx, LIVE_ORDER_HISTORY, definition, event);
  }

  @HandlesEvent([PaymentAuthorizedV1, PaymentFailedV1, PaymentCapturedV1, PaymentVoidedV1], { consumer: 'order-history-payment' })
  fromPayment(event: EnvelopeOf<EventDefinition>, tx: SqlTransaction, definition: EventDefinition): Promise<void> {
    return applyToOrderHistory(tx, LIVE_ORDER_HISTORY, definition, event);
  }

  @HandlesEvent([ProductCreatedV1, ProductUpdatedV1], { consumer: 'order-history-catalog' })
  fromCatalog(event: EnvelopeOf<EventDefinition>, tx: SqlTransaction, definition: EventDefinition): Promise<void> {
    return applyToOrderHistory(tx, LIVE_ORDER_HISTORY, definition, event);
  }
}
