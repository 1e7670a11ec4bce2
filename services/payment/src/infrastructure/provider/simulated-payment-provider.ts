import { setTimeout as sleep } from 'node:timers/promises';
import type { PaymentProviderSettings, ProviderHoldDto } from '@storefront/contracts';
import type {
  AuthorizationDecision,
  AuthorizationRequest,
  CaptureRequest,
  PaymentProvider,
  VoidRequest,
} from '../../domain/payment-provider';
import { PaymentProviderUnavailableError } from '../../domain/payment.errors';
import type { HoldStatus, LedgerRecord, ProviderLedger } from './provider-ledger';

/** Test tokens: this one is always declined; any other `tok_*` token is approved. */
const DECLINED_TOKEN = 'tok_decline';
const TOKEN_PREFIX = 'tok_';
const CANCELLED_BEFORE_MADE = 'The authorization was cancelled before it was made';

/** The provider refused a call no retry fixes, e.g. capturing a voided authorization: a bug on our side. */
export class ProviderRefusedError extends Error {
  override readonly name = 'ProviderRefusedError';
}

/**
 * A payment provider inside the process, for demos, tests and experiments: every call waits
 * `latencyMs`, then fails transiently with probability `failureRate`; authorizations are declined by
 * fixed rules. The settings can change while the service runs (PUT /admin/provider). Like a real
 * provider it keeps its own record of every authorization by idempotency key (a ProviderLedger): a
 * repeated call has the effect of one, and `holds('held')` shows money held on cards, including
 * holds payment does not know about.
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  private current: PaymentProviderSettings;

  constructor(
    settings: PaymentProviderSettings,
    private readonly ledger: ProviderLedger,
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
    const decision = this.decide(request, settings);
    // A replay answers as the first call did, whatever happened to the hold since: open keeps the
    // record the key has and returns it.
    const stored = await this.ledger.open({
      idempotencyKey: request.idempotencyKey,
      reference: request.reference,
      status: decision.approved ? 'held' : 'declined',
      amountMinor: request.amount.amountMinor,
      currency: request.amount.currency,
      declineMessage: decision.approved ? null : decision.message,
    });
    return decisionOf(stored);
  }

  async capture(request: CaptureRequest): Promise<void> {
    await this.call('capture the payment');
    const { amountMinor, currency } = request.amount;
    // Only a hold of this amount moves; a replay finds it captured already.
    const after = await this.ledger.move(request.idempotencyKey, 'held', 'captured', { amountMinor, currency });
    if (after && (after.amountMinor !== amountMinor || after.currency !== currency)) {
      throw new ProviderRefusedError(`capture of ${request.idempotencyKey} for another amount than the authorized one`);
    }
    if (after?.status !== 'captured') {
      throw new ProviderRefusedError(`no open authorization ${request.idempotencyKey} to capture (${after?.status ?? 'unknown'})`);
    }
  }

  async void(request: VoidRequest): Promise<void> {
    await this.call('void the authorization');
    const hold =
      (await this.ledger.move(request.idempotencyKey, 'held', 'voided')) ??
      // Voided before any authorization arrived: a later authorization with the key is declined.
      (await this.ledger.open({
        idempotencyKey: request.idempotencyKey,
        reference: request.reference,
        status: 'voided',
        amountMinor: null,
        currency: null,
        declineMessage: CANCELLED_BEFORE_MADE,
      }));
    if (hold.status === 'captured') throw new ProviderRefusedError(`authorization ${request.idempotencyKey} is captured`);
  }

  /** The provider's records: money `held`, `captured`, released (`voided`) or never held (`declined`). */
  async holds(status?: HoldStatus): Promise<ProviderHoldDto[]> {
    return (await this.ledger.list(status)).map((record) => ({
      idempotencyKey: record.idempotencyKey,
      reference: record.reference,
      status: record.status,
      amount:
        record.amountMinor === null || record.currency === null ? null : { amountMinor: record.amountMinor, currency: record.currency },
      createdAt: record.createdAt.toISOString(),
    }));
  }

  private decide(request: AuthorizationRequest, settings: PaymentProviderSettings): AuthorizationDecision {
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

  /** The latency and transient failures every call has; returns the settings the call ran with. */
  private async call(operation: string): Promise<PaymentProviderSettings> {
    const settings = this.current;
    if (settings.latencyMs > 0) await sleep(settings.latencyMs);
    if (this.random() < settings.failureRate) throw new PaymentProviderUnavailableError(operation);
    return settings;
  }
}

function decisionOf(record: LedgerRecord): AuthorizationDecision {
  return record.declineMessage === null ? { approved: true } : { approved: false, message: record.declineMessage };
}
