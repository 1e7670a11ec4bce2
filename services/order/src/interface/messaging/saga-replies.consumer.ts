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
  type EventEnvelope,
} from '@storefront/contracts';
import type { Transaction } from '@storefront/ddd';
import { HandlesEvent, type SqlTransaction } from '@storefront/messaging';
import { asTransaction } from '@storefront/persistence';
import { OrderSagaHandler } from '../../application/saga/order-saga.handler';
import { recordInOrderHistory } from '../../infrastructure/projections/order-history.projection';

/** Durable consumer (and inbox) names of the saga's replies. */
const ORDER_SAGA_INVENTORY_CONSUMER = 'order-saga-inventory';
const ORDER_SAGA_PAYMENT_CONSUMER = 'order-saga-payment';

/**
 * Replies of inventory and payment to the saga's commands; one durable consumer per stream. The
 * order history takes each reply the saga applied in the same transaction (the order's own facts
 * go there when the order is saved), instead of a delivery and a transaction of its own.
 */
@Injectable()
export class SagaRepliesConsumer {
  constructor(private readonly saga: OrderSagaHandler) {}

  @HandlesEvent(StockReservedV1, { consumer: ORDER_SAGA_INVENTORY_CONSUMER })
  onStockReserved(event: EnvelopeOf<typeof StockReservedV1>, tx: SqlTransaction): Promise<void> {
    return this.step(event, tx, (transaction) => this.saga.stockReserved(event.payload.orderId, transaction));
  }

  @HandlesEvent(StockReservationFailedV1, { consumer: ORDER_SAGA_INVENTORY_CONSUMER })
  onStockReservationFailed(event: EnvelopeOf<typeof StockReservationFailedV1>, tx: SqlTransaction): Promise<void> {
    const { reason, shortages } = event.payload;
    const detail =
      reason === 'insufficient_stock'
        ? `not enough stock: ${shortages.map((shortage) => `${shortage.sku} (${shortage.available} of ${shortage.requested})`).join(', ')}`
        : reason.replaceAll('_', ' ');
    return this.step(event, tx, (transaction) => this.saga.stockReservationFailed(event.payload.orderId, detail, transaction));
  }

  @HandlesEvent(ReservationCommittedV1, { consumer: ORDER_SAGA_INVENTORY_CONSUMER })
  onReservationCommitted(event: EnvelopeOf<typeof ReservationCommittedV1>, tx: SqlTransaction): Promise<void> {
    return this.step(event, tx, (transaction) => this.saga.stockCommitted(event.payload.orderId, transaction));
  }

  @HandlesEvent(ReservationCommitFailedV1, { consumer: ORDER_SAGA_INVENTORY_CONSUMER })
  onReservationCommitFailed(event: EnvelopeOf<typeof ReservationCommitFailedV1>, tx: SqlTransaction): Promise<void> {
    return this.step(event, tx, (transaction) => this.saga.stockCommitFailed(event.payload.orderId, event.payload.reason, transaction));
  }

  @HandlesEvent(PaymentAuthorizedV1, { consumer: ORDER_SAGA_PAYMENT_CONSUMER })
  onPaymentAuthorized(event: EnvelopeOf<typeof PaymentAuthorizedV1>, tx: SqlTransaction): Promise<void> {
    return this.step(event, tx, (transaction) => this.saga.paymentAuthorized(event.payload.orderId, transaction));
  }

  @HandlesEvent(PaymentFailedV1, { consumer: ORDER_SAGA_PAYMENT_CONSUMER })
  onPaymentFailed(event: EnvelopeOf<typeof PaymentFailedV1>, tx: SqlTransaction): Promise<void> {
    return this.step(event, tx, (transaction) => this.saga.paymentFailed(event.payload.orderId, event.payload.message, transaction));
  }

  @HandlesEvent(PaymentVoidedV1, { consumer: ORDER_SAGA_PAYMENT_CONSUMER })
  onPaymentVoided(event: EnvelopeOf<typeof PaymentVoidedV1>, tx: SqlTransaction): Promise<void> {
    return this.step(event, tx, (transaction) => this.saga.paymentVoided(event.payload.orderId, transaction));
  }

  @HandlesEvent(PaymentCapturedV1, { consumer: ORDER_SAGA_PAYMENT_CONSUMER })
  onPaymentCaptured(event: EnvelopeOf<typeof PaymentCapturedV1>, tx: SqlTransaction): Promise<void> {
    return this.step(event, tx, (transaction) => this.saga.paymentCaptured(event.payload.orderId, transaction));
  }

  private async step(event: EventEnvelope, tx: SqlTransaction, apply: (transaction: Transaction) => Promise<void>): Promise<void> {
    await apply(asTransaction(tx));
    await recordInOrderHistory(tx, [event]);
  }
}
