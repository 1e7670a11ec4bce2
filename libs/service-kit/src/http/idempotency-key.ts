import { idempotencyKeySchema } from '@storefront/contracts';
import { DomainError } from '@storefront/ddd';

const HEADER = 'Idempotency-Key';

/** A request that creates something carried no usable Idempotency-Key. */
export class IdempotencyKeyError extends DomainError {
  readonly kind = 'invalid';

  constructor(
    readonly code: 'IDEMPOTENCY_KEY.REQUIRED' | 'IDEMPOTENCY_KEY.INVALID',
    message: string,
  ) {
    super(message, { issues: [{ path: HEADER, message }] });
  }
}

/**
 * The Idempotency-Key header of a request that must not take effect twice (POST /orders): a client
 * retrying after a timeout sends the same key and gets the first answer instead of a second order.
 * Required, so a retry can never create a duplicate: missing or blank is IDEMPOTENCY_KEY.REQUIRED,
 * a value idempotencyKeySchema (the contract) refuses is IDEMPOTENCY_KEY.INVALID.
 */
export function requireIdempotencyKey(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? undefined : header?.trim();
  if (!value) {
    throw new IdempotencyKeyError(
      'IDEMPOTENCY_KEY.REQUIRED',
      `${HEADER} is required: send a new unique value (a UUID, say) with each order and the same value when you retry it`,
    );
  }
  const parsed = idempotencyKeySchema.safeParse(value);
  if (!parsed.success) {
    throw new IdempotencyKeyError('IDEMPOTENCY_KEY.INVALID', `${HEADER} ${parsed.error.issues[0]?.message ?? 'is malformed'}`);
  }
  return parsed.data;
}
