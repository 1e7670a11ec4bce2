import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Money, type Transaction } from '@storefront/ddd';
import { PAYMENT_PROVIDER, type PaymentProvider } from '../../../domain/payment-provider';
import { InvalidPaymentTransitionError } from '../../../domain/payment.errors';
import { PAYMENT_REPOSITORY, type PaymentRepository } from '../../../domain/payment.repository';
import type { CapturePaymentCommand } from './capture-payment.command';

@Injectable()
export class CapturePaymentHandler {
  private readonly logger = new Logger(CapturePaymentHandler.name);

  constructor(
    @Inject(PAYMENT_REPOSITORY) private readonly payments: PaymentRepository,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
  ) {}

  /**
   * authorized → captured; a capture repeated after that announces payment.captured again. Throws
   * PaymentProviderUnavailableError when the provider fails; nothing is written then, and the retry
   * carries the same idempotency key, so the money is charged once.
   */
  async execute(command: CapturePaymentCommand, tx: Transaction): Promise<void> {
    const payment = await this.payments.lockByOrderId(command.orderId, tx);
    if (!payment) {
      this.logger.warn({ orderId: command.orderId }, `capture of order ${command.orderId} ignored: it has no payment`);
      return;
    }
    let mustCapture: boolean;
    try {
      mustCapture = payment.capture(new Date());
    } catch (error) {
      if (!(error instanceof InvalidPaymentTransitionError)) throw error;
      // The saga never captures a payment it did not see authorized; report it, nothing to undo.
      this.logger.warn({ orderId: command.orderId, code: error.code }, `${error.message}; capture ignored`);
      return;
    }
    if (mustCapture) {
      await this.provider.capture({ idempotencyKey: payment.providerKey, amount: payment.snapshot.capturedAmount as Money });
    }
    await this.payments.update(payment, tx);
  }
}
