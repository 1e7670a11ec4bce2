import type { OrderState } from './order.aggregate';

/**
 * What an order decided; infrastructure turns each into integration events and saga commands.
 * The saga's compensations are decisions like any other.
 */
export type OrderDomainEvent =
  | { readonly kind: 'OrderPlaced'; readonly order: OrderState }
  | { readonly kind: 'PaymentRequested'; readonly order: OrderState }
  /** The payment is authorized: sell the reserved stock. */
  | { readonly kind: 'CommitRequested'; readonly order: OrderState }
  /** The stock is sold: charge the authorized money. */
  | { readonly kind: 'CaptureRequested'; readonly order: OrderState }
  | { readonly kind: 'OrderConfirmed'; readonly order: OrderState }
  | {
      readonly kind: 'OrderCancelled';
      readonly order: OrderState;
      readonly reason: string;
      readonly releaseStock: boolean;
      readonly voidPayment: boolean;
    }
  | { readonly kind: 'OrderRejected'; readonly order: OrderState; readonly reason: string }
  /** A reservation confirmed after the order ended: give the stock back. */
  | { readonly kind: 'LateReservationReleased'; readonly order: OrderState }
  /** An authorization confirmed after the order ended: cancel it. */
  | { readonly kind: 'LatePaymentVoided'; readonly order: OrderState }
  /** The void of a cancelled order was not confirmed in time: send it again. */
  | { readonly kind: 'VoidRequested'; readonly order: OrderState };
