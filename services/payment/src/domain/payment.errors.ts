import { DomainError } from '@storefront/ddd';

export class PaymentNotFoundError extends DomainError {
  readonly code = 'PAYMENT.NOT_FOUND';
  readonly kind = 'not_found';

  constructor(readonly orderId: string) {
    super(`No payment is known for order ${orderId}`);
  }
}

/** A transition the payment's current status does not allow, e.g. capturing a voided payment. */
export class InvalidPaymentTransitionError extends DomainError {
  readonly code = 'PAYMENT.INVALID_TRANSITION';
  readonly kind = 'conflict';

  constructor(
    readonly action: string,
    readonly status: string,
    readonly orderId: string,
  ) {
    super(`Cannot ${action} the ${status} payment of order ${orderId}`);
  }
}

/** The provider did not answer usefully this time; trying again later may succeed. */
export class PaymentProviderUnavailableError extends DomainError {
  readonly code = 'PAYMENT.PROVIDER_UNAVAILABLE';
  readonly kind = 'unavailable';

  constructor(operation: string, options?: { cause?: unknown }) {
    super(`The payment provider failed to ${operation}; the call can be retried`, options);
  }
}
