import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Money, type Transaction } from '@storefront/ddd';
import { PAYMENT_PROVIDER, type PaymentProvider } from '../../../domain/payment-provider';
import { Payment } from '../../../domain/payment.aggregate';
import { PAYMENT_REPOSITORY, type PaymentRepository } from '../../../domain/payment.repository';
import type { AuthorizePaymentCommand } from './authorize-payment.command';

@Injectable()
export class AuthorizePaymentHandler {
  constructor(
    @Inject(PAYMENT_REPOSITORY) private readonly payments: PaymentRepository,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
  ) {}

  /**
   * Records the intent (pending) before the provider is asked, then its answer. Throws
   * PaymentProviderUnavailableError when the provider fails: the command comes again and asks with
   * the same idempotency key, so a hold the provider made meanwhile is found, never made twice.
   */
  async execute(command: AuthorizePaymentCommand, tx: Transaction): Promise<void> {
    const payment = (await this.payments.lockByOrderId(command.orderId, tx)) ?? (await this.recordIntent(command));
    if (payment.status !== 'pending') {
      // Answered before (its reply may have been lost), or voided before it was authorized.
      payment.answerAuthorizationAgain(new Date());
      await this.payments.update(payment, tx);
      return;
    }
    const decision = await this.provider.authorize({
      idempotencyKey: payment.providerKey,
      reference: command.orderId,
      amount: payment.snapshot.amount as Money,
      paymentToken: command.paymentToken,
    });
    payment.decide(decision, new Date());
    await this.payments.update(payment, tx);
  }

  private async recordIntent(command: AuthorizePaymentCommand): Promise<Payment> {
    const amount = Money.of(command.amount.amountMinor, command.amount.currency);
    const intent = Payment.request({ id: randomUUID(), orderId: command.orderId, amount, paymentToken: command.paymentToken }, new Date());
    // Committed now, not with `tx`: if we die after the provider approved, the row and its key are
    // what the redelivered command (or a void) settles the hold with.
    await this.payments.insertIntent(intent);
    return intent;
  }
}
