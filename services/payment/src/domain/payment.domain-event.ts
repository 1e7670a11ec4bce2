import type { PaymentState } from './payment.aggregate';

/** Facts inside payment; infrastructure turns them into the payment.*.v1 integration events. */
export type PaymentDomainEvent =
  | { readonly kind: 'PaymentAuthorized'; readonly payment: PaymentState; readonly occurredAt: Date }
  | { readonly kind: 'PaymentDeclined'; readonly payment: PaymentState; readonly message: string; readonly occurredAt: Date }
  | { readonly kind: 'PaymentCaptured'; readonly payment: PaymentState; readonly occurredAt: Date }
  | { readonly kind: 'PaymentVoided'; readonly payment: PaymentState; readonly occurredAt: Date }
  /** A void arrived before any authorization: the tombstone was written, nothing was held. */
  | { readonly kind: 'VoidedBeforeAuthorization'; readonly payment: PaymentState; readonly occurredAt: Date }
  /** An authorization arrived after the order was voided and was refused. */
  | { readonly kind: 'AuthorizationRefused'; readonly payment: PaymentState; readonly occurredAt: Date }
  /** A void for a declined payment: nothing was ever held. */
  | { readonly kind: 'NothingToVoid'; readonly payment: PaymentState; readonly occurredAt: Date }
  /** A command was repeated after it had been answered: the same answer, announced again. */
  | {
      readonly kind: 'OutcomeRepeated';
      readonly outcome: 'authorized' | 'declined' | 'captured' | 'voided';
      readonly payment: PaymentState;
      readonly occurredAt: Date;
    };
