import { ProductCreatedV1, ProductUpdatedV1 } from './catalog.events';
import type { EventDefinition } from './event-definition';
import {
  CommitReservationV1,
  ReleaseReservationV1,
  ReservationCommitFailedV1,
  ReservationCommittedV1,
  ReservationReleasedV1,
  ReserveStockV1,
  StockChangedV1,
  StockReservationFailedV1,
  StockReservedV1,
} from './inventory.events';
import { OrderCancelledV1, OrderConfirmedV1, OrderPlacedV1, OrderRejectedV1 } from './orders.events';
import {
  AuthorizePaymentV1,
  CapturePaymentV1,
  PaymentAuthorizedV1,
  PaymentCapturedV1,
  PaymentFailedV1,
  PaymentVoidedV1,
  VoidPaymentV1,
} from './payment.events';
import { DEADLETTER_STREAM, type StreamDefinition } from './streams';

/**
 * Every message of the system, each version once: facts (past tense) and the saga's commands
 * (imperative). The AsyncAPI document lists these.
 */
export const INTEGRATION_EVENTS: readonly EventDefinition[] = [
  ProductCreatedV1,
  ProductUpdatedV1,
  ReserveStockV1,
  CommitReservationV1,
  ReleaseReservationV1,
  StockReservedV1,
  StockReservationFailedV1,
  ReservationCommittedV1,
  ReservationCommitFailedV1,
  ReservationReleasedV1,
  StockChangedV1,
  AuthorizePaymentV1,
  CapturePaymentV1,
  VoidPaymentV1,
  PaymentAuthorizedV1,
  PaymentFailedV1,
  PaymentCapturedV1,
  PaymentVoidedV1,
  OrderPlacedV1,
  OrderConfirmedV1,
  OrderCancelledV1,
  OrderRejectedV1,
];

/**
 * Every JetStream stream: the stream of each registered event's domain, then the dead letters. A
 * domain's stream is defined beside its events, so adding a domain adds no line here.
 */
export const STREAMS: readonly StreamDefinition[] = streamsOf(INTEGRATION_EVENTS);

function streamsOf(events: readonly EventDefinition[]): StreamDefinition[] {
  const byName = new Map<string, StreamDefinition>();
  for (const { stream } of events) {
    const known = byName.get(stream.name);
    if (known && known !== stream) throw new Error(`Two definitions of the stream ${stream.name}: define it once, beside its events`);
    byName.set(stream.name, stream);
  }
  return [...byName.values(), DEADLETTER_STREAM];
}

export * from './catalog.events';
export * from './inventory.events';
export * from './payment.events';
export * from './orders.events';
