import { DomainError } from '@storefront/ddd';

/** No usable token: missing, malformed, badly signed, expired or for another audience (401). */
export class AuthenticationError extends DomainError {
  readonly kind = 'unauthenticated';

  constructor(
    readonly code: 'AUTH.TOKEN_MISSING' | 'AUTH.TOKEN_INVALID' | 'AUTH.TOKEN_EXPIRED',
    message: string,
  ) {
    super(message);
  }
}

/** A valid token without the role the operation needs (403). */
export class ForbiddenError extends DomainError {
  readonly code = 'AUTH.FORBIDDEN';
  readonly kind = 'forbidden';

  constructor(message: string) {
    super(message);
  }
}

/** The keys to verify tokens with could not be loaded (the identity provider's JWKS did not answer). */
export class KeysUnavailableError extends DomainError {
  readonly code = 'AUTH.KEYS_UNAVAILABLE';
  readonly kind = 'unavailable';

  constructor(cause: unknown) {
    super('Access tokens cannot be verified right now; try again shortly', { cause });
  }
}
