import type { Money } from '@storefront/ddd';

/**
 * Every call names the payment by `idempotencyKey`, issued and stored before the provider is first
 * asked: a call repeated with the same key (after a timeout or a crash) has the effect of one call,
 * and a void by that key releases a hold whose approval never reached us. `reference` is the order
 * id, the merchant's reference a provider shows in its own records.
 */
export interface AuthorizationRequest {
  readonly idempotencyKey: string;
  readonly reference: string;
  readonly amount: Money;
  readonly paymentToken: string;
}

export interface CaptureRequest {
  readonly idempotencyKey: string;
  readonly amount: Money;
}

export interface VoidRequest {
  readonly idempotencyKey: string;
  readonly reference: string;
}

export type AuthorizationDecision = { readonly approved: true } | { readonly approved: false; readonly message: string };

/**
 * The payment provider (card processor) port. A decline is an answer, not an error. Every call may
 * throw PaymentProviderUnavailableError, which is worth retrying with the same idempotency key.
 */
export interface PaymentProvider {
  authorize(request: AuthorizationRequest): Promise<AuthorizationDecision>;
  capture(request: CaptureRequest): Promise<void>;
  void(request: VoidRequest): Promise<void>;
}

export const PAYMENT_PROVIDER = Symbol('PaymentProvider');
