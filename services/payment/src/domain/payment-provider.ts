import type { Money } from './money.value-object';

/** `reference` is the order id: the idempotency key with which a real provider recognises a retried call. */
export interface AuthorizationRequest {
  readonly reference: string;
  readonly amount: Money;
  readonly paymentToken: string;
}

export interface CaptureRequest {
  readonly reference: string;
  readonly amount: Money;
}

export interface VoidRequest {
  readonly reference: string;
}

export type AuthorizationDecision =
  | { readonly approved: true }
  | { readonly approved: false; readonly message: string };

/**
 * The payment provider (card processor) port. A decline is an answer, not an error. Every call may
 * throw PaymentProviderUnavailableError, which is worth retrying.
 */
export interface PaymentProvider {
  authorize(request: AuthorizationRequest): Promise<AuthorizationDecision>;
  capture(request: CaptureRequest): Promise<void>;
  void(request: VoidRequest): Promise<void>;
}

export const PAYMENT_PROVIDER = Symbol('PaymentProvider');
