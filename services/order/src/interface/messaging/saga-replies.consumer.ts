import { Injectable } from '@nestjs/common';
import {
  PaymentAuthorizedV1,
  PaymentCapturedV1,
  PaymentFailedV1,
  PaymentVoidedV1,
  ReservationCommitFailedV1,
  ReservationCommittedV1,
  StockReservationFailedV1,
  StockReservedV1,
  type EnvelopeOf,
} from '@storefront/contracts';
import { HandlesEvent, type SqlTransaction } from '@storefront/messaging';
import { asTransaction } from '@storefront/persistence';
import { OrderSagaHandler } from '../../application/saga/order-saga.handler';

/** Durable consumer (and inbox) names of the saga's replies. */
const ORDER_SAGA_INVENTORY_CONSUMER = 'order-saga-inventory';
const ORDER_SAGA_PAYMENT_CONSUMER = 'order-saga-payment';

/** Replies of inventory and payment to the saga's commands; one durable consumer per stream. */
@Injectable()
export class SagaRepliesConsumer {
  constructor(private readonly saga: OrderSagaHandler) {}

  @HandlesEvent(StockReservedV1, { consumer: ORDER_SAGA_INVENTORY_CONSUMER })
  onStockReserved(event: EnvelopeOf<typeof StockReservedV1>, tx: SqlTransaction): Promise<void> {
    return this.saga.stockReserved(event.payload.orderId, asTransaction(tx));
  }

  @HandlesEvent(StockReservationFailedV1, { consumer: ORDER_SAGA_INVENTORY_CONSUMER })
  onStockReservationFailed(event: EnvelopeOf<typeof StockReservationFailedV1>, tx: SqlTransaction): Promise<void> {
    const { reason, shortages } = event.payload;
    const detail =
      reason === 'insufficient_stock'
        ? `not enough stock: ${shortages.map((shortage) => `${shortage.sku} (${shortage.available} of ${shortage.requested})`).join(', ')}`
        : reason.replaceAll('_', ' ');
    return this.saga.stockReservationFailed(event.payload.orderId, detail, asTransaction(tx));
  }

  @HandlesEvent(ReservationCommittedV1, { consumer: ORDER_SAGA_INVENTORY_CONSUMER })
  onReservationCommitted(event: EnvelopeOf<typeof ReservationCommittedV1>, tx: SqlTransaction): Promise<void> {
    return this.saga.stockCommitted(event.payload.orderId, asTransaction(tx));
  }

  @HandlesEvent(ReservationCommitFailedV1, { consumer: ORDER_SAGA_INVENTORY_CONSUMER })
  onReservationCommitFailed(event: EnvelopeOf<typeof ReservationCommitFailedV1>, tx: SqlTransaction): Promise<void> {
    return this.saga.stockCommitFailed(event.payload.orderId, event.payload.reason, asTransaction(tx));
  }

  @HandlesEvent(PaymentAuthorizedV1, { consumer: ORDER_SAGA_PAYMENT_CONSUMER })
  onPaymentAuthorized(event: EnvelopeOf<typeof PaymentAuthorizedV1>, tx: SqlTransaction): Promise<void> {
    return this.saga.paymentAuthorized(event.payload.orderId, asTransaction(tx));
  }

  @HandlesEvent(PaymentFailedV1, { consumer: ORDER_SAGA_PAYMENT_CONSUMER })
  onPaymentFailed(event: EnvelopeOf<typeof PaymentFailedV1>, tx: SqlTransaction): Promise<void> {
    return this.saga.paymentFailed(event.payload.orderId, event.payload.message, asTransaction(tx));
  }

  @HandlesEvent(PaymentVoidedV1, { consumer: ORDER_SAGA_PAYMENT_CONSUMER })
  onPaymentVoided(event: EnvelopeOf<typeof PaymentVoidedV1>, tx: SqlTransaction): Promise<void> {
    return this.saga.paymentVoided(event.payload.orderId, asTransaction(tx));
  }

  @HandlesEvent(PaymentCapturedV1, { consumer: ORDER_SAGA_PAYMENT_CONSUMER })
  onPaymentCaptured(event: EnvelopeOf<typeof PaymentCapturedV1>, tx: SqlTransaction): Promise<void> {
    return this.saga.paymentCaptured(event.payload.orderId, asTransaction(tx));
  }
}
