import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Money } from '../../../domain/money.value-object';
import { Payment } from '../../../domain/payment.aggregate';
import { PAYMENT_PROVIDER, type PaymentProvider } from '../../../domain/payment-provider';
import { PAYMENT_REPOSITORY, type PaymentRepository, type Transaction } from '../../../domain/payment.repository';
import type { AuthorizePaymentCommand } from './authorize-payment.command';

@Injectable()
export class AuthorizePaymentHandler {
  constructor(
    @Inject(PAYMENT_REPOSITORY) private readonly payments: PaymentRepository,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
  ) {}

  /** Throws PaymentProviderUnavailableError when the provider fails; nothing is written then. */
  async execute(command: AuthorizePaymentCommand, tx: Transaction): Promise<void> {
    const existing = await this.payments.lockByOrderId(command.orderId, tx);
    if (existing) {
      // The order's authorization was answered before (approved or declined), unless the void came first.
      if (existing.isTombstone) {
        existing.refuseAuthorization(new Date());
        await this.payments.update(existing, tx);
      }
      return;
    }
    const amount = Money.of(command.amount.amountMinor, command.amount.currency);
    const decision = await this.provider.authorize({
      idempotencyKey: command.orderId,
      reference: command.orderId,
      amount,
      paymentToken: command.paymentToken,
    });
    const input = { id: randomUUID(), orderId: command.orderId, amount, paymentToken: command.paymentToken };
    const payment = decision.approved
      ? Payment.authorize(input, new Date())
      : Payment.decline({ ...input, message: decision.message }, new Date());
    await this.payments.insert(payment, tx);
  }
}
