import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from './auth.config';
import { AuthenticationError, KeysUnavailableError } from './auth.errors';
import { ROLES, type Principal, type Role } from './principal';

const SUBJECT = /^[\w-]{1,64}$/;
/** Asymmetric algorithms only: a service that verifies tokens can never mint them. */
const ALGORITHMS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'];
/**
 * Tokens verified lately, kept at most this long (and never past their `exp`): a client sends the
 * same token with every request, and an ES256 signature check costs ~0.13 ms of CPU, four times
 * per order (gateway and order service, the POST and the status wait). A token whose signing key
 * is taken out of the key set stays accepted for at most this long; jose keeps a fetched remote
 * key set ten minutes anyway.
 */
const VERIFIED_TTL_MS = 60_000;
/** Verified tokens remembered at most; the least recently used goes first (~1 KB each). */
const MAX_VERIFIED = 1_000;

/**
 * Verifies bearer tokens (jose): signature against the configured key set, `iss`, `aud`, `exp`/`nbf`
 * with a small clock tolerance, and a `sub` usable as a customer id. Roles come from the `roles`
 * claim; unknown roles are ignored.
 */
export class TokenVerifier {
  private readonly keys: JWTVerifyGetKey[];
  /** Verifications of requests in flight, so an edge hook and the guard check one token once. */
  private readonly byRequest = new WeakMap<object, Promise<Principal>>();
  /** See VERIFIED_TTL_MS; only successes are kept. */
  private readonly verified = new Map<string, { readonly principal: Principal; readonly until: number }>();

  constructor(private readonly config: Pick<AuthConfig, 'AUTH_ISSUER' | 'AUTH_AUDIENCE'> & Partial<AuthConfig>) {
    this.keys = [
      ...(config.AUTH_JWKS ? [createLocalJWKSet(config.AUTH_JWKS)] : []),
      ...(config.AUTH_JWKS_URL ? [createRemoteJWKSet(new URL(config.AUTH_JWKS_URL))] : []),
    ];
  }

  get configured(): boolean {
    return this.keys.length > 0;
  }

  /** The principal of an `Authorization` header value; throws AuthenticationError otherwise. */
  async verifyAuthorization(header: string | undefined): Promise<Principal> {
    if (!header) throw new AuthenticationError('AUTH.TOKEN_MISSING', 'This operation needs an access token: Authorization: Bearer <token>');
    const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/i.exec(header.trim());
    if (!match?.[1]) throw new AuthenticationError('AUTH.TOKEN_INVALID', 'The Authorization header must be "Bearer <JWT>"');
    return this.verify(match[1]);
  }

  /**
   * verifyAuthorization, once per request (an HTTP request or gRPC metadata object): later calls
   * for the same request get the first call's answer, a rejection included.
   */
  verifyRequest(request: object, header: string | undefined): Promise<Principal> {
    let verification = this.byRequest.get(request);
    if (!verification) {
      verification = this.verifyAuthorization(header);
      verification.catch(() => undefined); // its callers handle the rejection; this copy must not be unhandled
      this.byRequest.set(request, verification);
    }
    return verification;
  }

  async verify(token: string): Promise<Principal> {
    const now = Date.now();
    const known = this.verified.get(token);
    if (known) {
      this.verified.delete(token);
      if (known.until > now) {
        this.verified.set(token, known); // most recently used last
        return known.principal;
      }
    }
    const { principal, expiresAt } = await this.verifySignatureAndClaims(token);
    this.verified.set(token, { principal, until: Math.min(now + VERIFIED_TTL_MS, expiresAt) });
    if (this.verified.size > MAX_VERIFIED) this.verified.delete(this.verified.keys().next().value as string);
    return principal;
  }

  /** The principal, and when the token expires (ms). */
  private async verifySignatureAndClaims(token: string): Promise<{ principal: Principal; expiresAt: number }> {
    let lastError: unknown = new Error('no signing keys are configured (AUTH_JWKS or AUTH_JWKS_URL)');
    for (const keys of this.keys) {
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer: this.config.AUTH_ISSUER,
          audience: this.config.AUTH_AUDIENCE,
          algorithms: ALGORITHMS,
          clockTolerance: 5,
          requiredClaims: ['sub', 'exp'],
        });
        if (typeof payload.sub !== 'string' || !SUBJECT.test(payload.sub)) {
          throw new AuthenticationError('AUTH.TOKEN_INVALID', 'The token’s subject is not a valid customer id');
        }
        const claimed: unknown[] = Array.isArray(payload.roles) ? payload.roles : [];
        const roles = ROLES.filter((role: Role) => claimed.includes(role));
        // requiredClaims makes jose refuse a token without a numeric exp.
        return { principal: { subject: payload.sub, roles, token }, expiresAt: (payload.exp as number) * 1000 };
      } catch (error) {
        if (error instanceof AuthenticationError) throw error;
        if (error instanceof errors.JWTExpired) throw new AuthenticationError('AUTH.TOKEN_EXPIRED', 'The access token has expired');
        // The identity provider's key set could not be fetched: not the caller's fault, so 503.
        if (keySetUnreachable(error)) {
          throw new KeysUnavailableError(error);
        }
        lastError = error;
      }
    }
    throw new AuthenticationError('AUTH.TOKEN_INVALID', describe(lastError));
  }
}

/** jose's errors when fetching a remote key set fails: a timeout, a network error, a non-200 or non-JSON answer. */
function keySetUnreachable(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout) return true;
  // fetch() failed (refused, DNS, TLS): a TypeError, compared by name as it may come from another realm.
  if ((error as { name?: unknown } | null)?.name === 'TypeError') return true;
  return error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC' && /JSON Web Key Set HTTP response/.test(error.message);
}

function describe(error: unknown): string {
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return 'The access token’s signature does not match any trusted key';
  }
  if (error instanceof errors.JWTClaimValidationFailed) return `The access token is not valid here: ${error.message}`;
  if (error instanceof errors.JOSEError) return 'The access token is malformed or uses an unsupported algorithm';
  return 'The access token cannot be verified';
}
