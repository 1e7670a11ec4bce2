import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';

export const DEV_ISSUER = 'storefront-dev';
export const DEV_AUDIENCE = 'storefront';
const ALGORITHM = 'ES256';

export interface TokenRequest {
  /** `sub`: the customer id for a customer, any name for an admin. */
  readonly subject: string;
  /** Defaults to ["customer"]. */
  readonly roles?: readonly string[];
  /** Defaults to one hour; a negative value makes an already expired token (for tests). */
  readonly expiresInSeconds?: number;
}

/**
 * A stand-in for the identity provider on a developer's machine: an ES256 key pair whose public half
 * every process trusts through AUTH_JWKS, and whose private half signs tokens for demo customers and
 * an admin. It only ever runs in `npm start`, the tests and the `token` command; production trusts
 * the identity provider's JWKS (AUTH_JWKS_URL) and no process holds a signing key.
 */
export class DevIssuer {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicJwk: JWK,
  ) {}

  /** A fresh key pair that lives as long as this process (the tests). */
  static async ephemeral(): Promise<DevIssuer> {
    const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
    return new DevIssuer(privateKey, await publicJwkOf(publicKey));
  }

  /** The key pair in `<stateDir>/dev-auth.json`, made on first use; `npm start` and `npm run token` share it. */
  static async persistent(stateDir: string): Promise<DevIssuer> {
    const file = join(stateDir, 'dev-auth.json');
    try {
      const stored = JSON.parse(await readFile(file, 'utf8')) as { privateJwk: JWK; publicJwk: JWK };
      return new DevIssuer((await importJWK(stored.privateJwk, ALGORITHM)) as CryptoKey, stored.publicJwk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
    const publicJwk = await publicJwkOf(publicKey);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify({ privateJwk: await exportJWK(privateKey), publicJwk }, null, 2), { mode: 0o600 });
    return new DevIssuer(privateKey, publicJwk);
  }

  /** The variables that make a process trust this issuer. */
  env(): Record<string, string> {
    return { AUTH_JWKS: JSON.stringify({ keys: [this.publicJwk] }), AUTH_ISSUER: DEV_ISSUER, AUTH_AUDIENCE: DEV_AUDIENCE };
  }

  token(request: TokenRequest): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ roles: [...(request.roles ?? ['customer'])] })
      .setProtectedHeader({ alg: ALGORITHM, kid: this.publicJwk.kid ?? 'dev', typ: 'JWT' })
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setSubject(request.subject)
      .setIssuedAt(now - 60)
      .setExpirationTime(now + (request.expiresInSeconds ?? 3600))
      .sign(this.privateKey);
  }
}

async function publicJwkOf(publicKey: CryptoKey): Promise<JWK> {
  const jwk = await exportJWK(publicKey);
  return { ...jwk, kid: `dev-${(jwk.x ?? '').slice(0, 8)}`, alg: ALGORITHM, use: 'sig' };
}
