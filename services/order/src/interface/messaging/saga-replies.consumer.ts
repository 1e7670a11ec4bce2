import { Injectable } from '@nestjs/common';
import {
  type EnvelopeOf,
  PaymentAuthorizedV1,
  PaymentCapturedV1,
  PaymentFailedV1,
  PaymentVoidedV1,
  ReservationCommitFailedV1,
  ReservationCommittedV1,
  StockReservationFailedV1,
  StockReservedV1,
} from '@storefront/contracts';
import { HandlesEvent, type SqlTransaction } from '@storefront/messaging';
import { OrderSagaHandler } from '../../application/saga/order-saga.handler';

/** Replies of inventory and payment to the saga's commands; one durable consumer per stream. */
@Injectable()
export class SagaRepliesConsumer {
  constructor(private readonly saga: OrderSagaHandler) {}

  @HandlesEvent(StockReservedV1, { consumer: 'order-saga-inventory' })
  onStockReserved(event: EnvelopeOf<typeof StockReservedV1>, tx: SqlTransaction): Promise<void> {
    return this.saga.stockReserved(event.payload.orderId, tx);
  }

  @HandlesEvent(StockReservationFailedV1, { consumer: 'order-saga-inventory' })
  onStockReservationFailed(event: EnvelopeOf<typeof StockReservationFailedV1>, tx: SqlTransaction): Promise<void> {
    const { reason, shortages } = event.payload;
    const detail =
      reason === 'insufficient_stock'
        ? `not enough stock: ${shortages.map((shortage) => `${shortage.sku} (${shortage.available} of ${shortage.requested})`).join(', ')}`
        : reason.replaceAll('_', ' ');
    return this.saga.stockReservationFailed(event.payload.orderId, detail, tx);
  }

  @HandlesEvent(ReservationCommittedV1, { consumer: 'order-saga-inventory' })
  onReservationCommitted(event: EnvelopeOf<typeof ReservationCommittedV1>, tx: SqlTransaction): Promise<void> {
    return this.saga.stockCommitted(event.payload.orderId, tx);
  }

  @HandlesEvent(ReservationCommitFailedV1, { consumer: 'order-saga-inventory' })
  onReservationCommitFailed(event: EnvelopeOf<typeof ReservationCommitFailedV1>, tx: SqlTransaction): Promise<void> {
    return this.saga.stockCommitFailed(event.payload.orderId, event.payload.reason, tx);
  }

  @HandlesEvent(PaymentAuthorizedV1, { consumer: 'order-saga-payment' })
  onPaymentAuthorized(event: EnvelopeOf<typeof PaymentAuthorizedV1>, tx: SqlTransaction): Promise<void> {
    return this.saga.paymentAuthorized(event.payload.orderId, tx);
  }

  @HandlesEvent(PaymentFailedV1, { consumer: 'order-saga-payment' })
  onPaymentFailed(event: EnvelopeOf<typeof PaymentFailedV1>, tx: SqlTransaction): Promise<void> {
    return this.saga.paymentFailed(event.payload.orderId, event.payload.message, tx);
  }

  @HandlesEvent(PaymentVoidedV1, { consumer: 'order-saga-payment' })
  onPaymentVoided(event: EnvelopeOf<typeof PaymentVoidedV1>, tx: SqlTransaction): Promise<void> {
    return this.saga.paymentVoided(event.payload.orderId, tx);
  }

  @HandlesEvent(PaymentCapturedV1, { consumer: 'order-saga-payment' })
  onPaymentCaptured(event: EnvelopeOf<typeof PaymentCapturedV1>, tx: SqlTransaction): Promise<void> {
    return this.saga.paymentCaptured(event.payload.orderId, tx);
  }
}
