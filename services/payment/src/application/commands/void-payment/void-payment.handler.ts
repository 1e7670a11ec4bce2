import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Transaction } from '@storefront/ddd';
import { PAYMENT_PROVIDER, type PaymentProvider } from '../../../domain/payment-provider';
import { Payment } from '../../../domain/payment.aggregate';
import { InvalidPaymentTransitionError } from '../../../domain/payment.errors';
import { PAYMENT_REPOSITORY, type PaymentRepository } from '../../../domain/payment.repository';
import type { VoidPaymentCommand } from './void-payment.command';

@Injectable()
export class VoidPaymentHandler {
  private readonly logger = new Logger(VoidPaymentHandler.name);

  constructor(
    @Inject(PAYMENT_REPOSITORY) private readonly payments: PaymentRepository,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
  ) {}

  /**
   * Releases the authorization by its idempotency key, also a pending one whose answer never came
   * back (the provider may hold money for it). For an order with no payment yet, leaves a tombstone.
   * A void repeated after that, or of a declined payment, announces payment.voided (again): the saga
   * sends a void until it hears that one. Throws
   * PaymentProviderUnavailableError when the provider fails; nothing is written then.
   */
  async execute(command: VoidPaymentCommand, tx: Transaction): Promise<void> {
    const payment = await this.payments.lockByOrderId(command.orderId, tx);
    if (!payment) {
      await this.payments.insert(Payment.voidBeforeAuthorization({ id: randomUUID(), orderId: command.orderId }, new Date()), tx);
      return;
    }
    let mustVoid: boolean;
    try {
      mustVoid = payment.void(new Date());
    } catch (error) {
      if (!(error instanceof InvalidPaymentTransitionError)) throw error;
      this.logger.warn({ orderId: command.orderId, code: error.code, reason: command.reason }, `${error.message}; void ignored`);
      return;
    }
    if (mustVoid) await this.provider.void({ idempotencyKey: payment.providerKey, reference: command.orderId });
    await this.payments.update(payment, tx);
  }
}
