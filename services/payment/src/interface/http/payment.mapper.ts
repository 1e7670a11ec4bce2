import type { PaymentDto } from '@storefront/contracts';
import type { Payment } from '../../domain/payment.aggregate';

/** ISO 4217's code for "no currency": the amount of a tombstone, which never had one. */
const NO_CURRENCY = 'XXX';

export function toPaymentDto(payment: Payment): PaymentDto {
  const state = payment.snapshot;
  return {
    id: state.id,
    orderId: state.orderId,
    status: state.status,
    amount: state.amount
      ? { amountMinor: state.amount.amountMinor, currency: state.amount.currency }
      : { amountMinor: 0, currency: NO_CURRENCY },
    capturedAmountMinor: state.capturedAmount?.amountMinor ?? 0,
    createdAt: state.createdAt.toISOString(),
    updatedAt: state.updatedAt.toISOString(),
  };
}
