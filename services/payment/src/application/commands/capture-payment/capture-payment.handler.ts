import { Inject, Injectable, Logger } from '@nestjs/common';
import { PAYMENT_PROVIDER, type PaymentProvider } from '../../../domain/payment-provider';
import { InvalidPaymentTransitionError } from '../../../domain/payment.errors';
import { PAYMENT_REPOSITORY, type PaymentRepository, type Transaction } from '../../../domain/payment.repository';
import type { CapturePaymentCommand } from './capture-payment.command';

@Injectable()
export class CapturePaymentHandler {
  private readonly logger = new Logger(CapturePaymentHandler.name);

  constructor(
    @Inject(PAYMENT_REPOSITORY) private readonly payments: PaymentRepository,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
  ) {}

  /** Throws PaymentProviderUnavailableError when the provider fails; nothing is written then. */
  async execute(command: CapturePaymentCommand, tx: Transaction): Promise<void> {
    const payment = await this.payments.lockByOrderId(command.orderId, tx);
    if (!payment) {
      this.logger.warn({ orderId: command.orderId }, `capture of order ${command.orderId} ignored: it has no payment`);
      return;
    }
    if (payment.status === 'CAPTURED') return; // captured by an earlier command
    let amount;
    try {
      amount = payment.capture(new Date());
    } catch (error) {
      if (!(error instanceof InvalidPaymentTransitionError)) throw error;
      // The saga never captures a payment it did not see authorized; report it, nothing to undo.
      this.logger.warn({ orderId: command.orderId, code: error.code }, `${error.message}; capture ignored`);
      return;
    }
    await this.provider.capture({ idempotencyKey: command.orderId, amount });
    await this.payments.update(payment, tx);
  }
}
