import { setTimeout as sleep } from 'node:timers/promises';
import type { PaymentProviderSettings } from '@storefront/contracts';
import type {
  AuthorizationDecision,
  AuthorizationRequest,
  CaptureRequest,
  PaymentProvider,
  VoidRequest,
} from '../../domain/payment-provider';
import { PaymentProviderUnavailableError } from '../../domain/payment.errors';

/** Test tokens: this one is always declined; any other `tok_*` token is approved. */
export const DECLINED_TOKEN = 'tok_decline';
const TOKEN_PREFIX = 'tok_';

/**
 * A payment provider inside the process, for demos, tests and experiments: every call waits
 * `latencyMs`, then fails transiently with probability `failureRate`; authorizations are declined by
 * fixed rules. The settings can change while the service runs (PUT /admin/provider).
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  private current: PaymentProviderSettings;

  constructor(
    settings: PaymentProviderSettings,
    private readonly random: () => number = Math.random,
  ) {
    this.current = { ...settings };
  }

  get settings(): PaymentProviderSettings {
    return { ...this.current };
  }

  configure(settings: PaymentProviderSettings): PaymentProviderSettings {
    this.current = { ...settings };
    return this.settings;
  }

  async authorize(request: AuthorizationRequest): Promise<AuthorizationDecision> {
    const settings = await this.call('authorize the payment');
    if (request.paymentToken === DECLINED_TOKEN) {
      return { approved: false, message: 'The card issuer declined the payment' };
    }
    if (!request.paymentToken.startsWith(TOKEN_PREFIX)) {
      return { approved: false, message: 'The payment token is not one the provider issued' };
    }
    const limit = settings.declineAmountOverMinor;
    if (limit !== null && request.amount.amountMinor > limit) {
      return {
        approved: false,
        message: `The amount of ${request.amount.amountMinor} minor units is over the limit of ${limit}`,
      };
    }
    return { approved: true };
  }

  async capture(_request: CaptureRequest): Promise<void> {
    await this.call('capture the payment');
  }

  async void(_request: VoidRequest): Promise<void> {
    await this.call('void the authorization');
  }

  /** The latency and transient failures every call has; returns the settings the call ran with. */
  private async call(operation: string): Promise<PaymentProviderSettings> {
    const settings = this.current;
    if (settings.latencyMs > 0) await sleep(settings.latencyMs);
    if (this.random() < settings.failureRate) throw new PaymentProviderUnavailableError(operation);
    return settings;
  }
}
