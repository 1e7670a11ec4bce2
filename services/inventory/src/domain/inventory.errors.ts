import { DomainError, type FieldIssue } from '@storefront/ddd';
import type { ReservationStatus } from './reservation.aggregate';

export class StockNotFoundError extends DomainError {
  readonly code = 'INVENTORY.STOCK_NOT_FOUND';
  readonly kind = 'not_found';

  constructor(readonly sku: string) {
    super(`No stock is kept for SKU ${sku}; stock exists once the catalog has published the product`);
  }
}

/** A quantity or reservation line that breaks inventory's rules. */
export class InvalidQuantityError extends DomainError {
  readonly code = 'INVENTORY.INVALID_QUANTITY';
  readonly kind = 'invalid';

  constructor(issue: FieldIssue) {
    super(`${issue.path} ${issue.message}`, { issues: [issue] });
  }
}

/** A reservation was asked to move to a status it cannot reach from where it is. */
export class IllegalReservationTransitionError extends DomainError {
  readonly code = 'INVENTORY.ILLEGAL_RESERVATION_TRANSITION';
  readonly kind = 'conflict';

  constructor(
    readonly orderId: string,
    readonly from: ReservationStatus,
    readonly to: ReservationStatus,
  ) {
    super(`The reservation of order ${orderId} is ${from} and cannot become ${to}`);
  }
}
