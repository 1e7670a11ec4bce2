import { Money } from '@storefront/ddd';
import { Payment } from '../../domain/payment.aggregate';
import type { Capture as CaptureRow, Payment as PaymentRow } from './generated/client';

export type PaymentRowWithCapture = PaymentRow & { capture: CaptureRow | null };

export function toPayment(row: PaymentRowWithCapture): Payment {
  return Payment.restore({
    id: row.id,
    orderId: row.orderId,
    status: row.status,
    amount: row.amountMinor === null || row.currency === null ? null : Money.of(row.amountMinor, row.currency),
    tokenLast4: row.tokenLast4,
    authorizedAt: row.authorizedAt,
    declineMessage: row.declineMessage,
    capturedAmount: row.capture && Money.of(row.capture.amountMinor, row.capture.currency),
    capturedAt: row.capture?.capturedAt ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });
}
