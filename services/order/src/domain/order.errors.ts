import { DomainError } from '@storefront/ddd';
import type { OrderStatus } from './order-status.value-object';

export class OrderNotFoundError extends DomainError {
  readonly code = 'ORDER.NOT_FOUND';
  readonly kind = 'not_found';

  constructor(readonly orderId: string) {
    super(`Order ${orderId} does not exist`);
  }
}

/** A saga message or request that the order's current state does not allow. */
export class IllegalOrderTransitionError extends DomainError {
  readonly code = 'ORDER.ILLEGAL_TRANSITION';
  readonly kind = 'conflict';

  constructor(
    readonly orderId: string,
    readonly from: OrderStatus,
    readonly action: string,
  ) {
    super(`Order ${orderId} is ${from}; it cannot ${action}`);
  }
}

export class OrderNotCancellableError extends DomainError {
  readonly code = 'ORDER.NOT_CANCELLABLE';
  readonly kind = 'conflict';

  constructor(orderId: string, status: OrderStatus) {
    super(
      status === 'payment_authorized'
        ? `Order ${orderId} is being confirmed (its payment is being captured); it can no longer be cancelled`
        : `Order ${orderId} is already ${status}`,
    );
  }
}

export class InvalidOrderError extends DomainError {
  readonly code = 'ORDER.INVALID';
  readonly kind = 'invalid';

  constructor(message: string, path: string) {
    super(message, { issues: [{ path, message }] });
  }
}

export class UnknownProductsError extends DomainError {
  readonly code = 'ORDER.UNKNOWN_PRODUCT';
  readonly kind = 'invalid';

  constructor(readonly productIds: readonly string[]) {
    super(`These products do not exist: ${productIds.join(', ')}`, {
      issues: productIds.map((id) => ({ path: 'lines', message: `unknown product ${id}` })),
    });
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'ORDER.IDEMPOTENCY_KEY_REUSED';
  readonly kind = 'conflict';

  constructor(key: string) {
    super(`Idempotency-Key "${key}" was already used for a different request; use a new key for a new order`);
  }
}

export class InvalidOrderCursorError extends DomainError {
  readonly code = 'ORDER.INVALID_CURSOR';
  readonly kind = 'invalid';

  constructor() {
    super('The cursor is not one this listing returned; start again without it', {
      issues: [{ path: 'cursor', message: 'unknown or malformed cursor' }],
    });
  }
}

/** A customer asked for something on behalf of another customer. */
export class OrderAccessDeniedError extends DomainError {
  readonly code = 'ORDER.ACCESS_DENIED';
  readonly kind = 'forbidden';

  constructor(message: string) {
    super(message);
  }
}
