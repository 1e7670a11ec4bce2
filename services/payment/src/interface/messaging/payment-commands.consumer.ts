import { Injectable } from '@nestjs/common';
import { AuthorizePaymentV1, CapturePaymentV1, VoidPaymentV1, type EnvelopeOf } from '@storefront/contracts';
import { HandlesEvent, type SqlTransaction } from '@storefront/messaging';
import { asTransaction } from '@storefront/persistence';
import { AuthorizePaymentHandler } from '../../application/commands/authorize-payment/authorize-payment.handler';
import { CapturePaymentHandler } from '../../application/commands/capture-payment/capture-payment.handler';
import { VoidPaymentHandler } from '../../application/commands/void-payment/void-payment.handler';

/** One durable consumer for the three commands, so they are applied in the order the saga sent them. */
export const PAYMENT_COMMANDS_CONSUMER = 'payment-commands';
/**
 * Each command in a transaction of its own: its handler calls the provider inside it, and a group
 * would hold one order's lock through the provider calls of the others.
 */
const ALONE = { consumer: PAYMENT_COMMANDS_CONSUMER, maxGroup: 1 };

/**
 * The order saga's commands, from the PAYMENTS stream. Each runs in the transaction that records
 * it in the inbox. A decline is an event, not an error; a handler throws only when the command
 * should be retried (the provider was unavailable), and is retried until the provider answers.
 */
@Injectable()
export class PaymentCommandsConsumer {
  constructor(
    private readonly authorizePayment: AuthorizePaymentHandler,
    private readonly capturePayment: CapturePaymentHandler,
    private readonly voidPayment: VoidPaymentHandler,
  ) {}

  @HandlesEvent(AuthorizePaymentV1, ALONE)
  async onAuthorizePayment(event: EnvelopeOf<typeof AuthorizePaymentV1>, tx: SqlTransaction): Promise<void> {
    await this.authorizePayment.execute(event.payload, asTransaction(tx));
  }

  @HandlesEvent(CapturePaymentV1, ALONE)
  async onCapturePayment(event: EnvelopeOf<typeof CapturePaymentV1>, tx: SqlTransaction): Promise<void> {
    await this.capturePayment.execute(event.payload, asTransaction(tx));
  }

  @HandlesEvent(VoidPaymentV1, ALONE)
  async onVoidPayment(event: EnvelopeOf<typeof VoidPaymentV1>, tx: SqlTransaction): Promise<void> {
    await this.voidPayment.execute(event.payload, asTransaction(tx));
  }
}
