import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { AuthenticationError, KeysUnavailableError } from './auth.errors';
import { TokenVerifier } from './token-verifier';

const ISSUER = 'https://idp.example';
const AUDIENCE = 'storefront';

describe('TokenVerifier', () => {
  let privateKey: CryptoKey;
  let publicJwk: JWK;
  let verifier: TokenVerifier;

  const sign = (
    claims: Record<string, unknown> = {},
    options: { alg?: string; key?: CryptoKey | Uint8Array; exp?: number; sub?: string | null } = {},
  ) => {
    const jwt = new SignJWT({ roles: ['customer'], ...claims })
      .setProtectedHeader({ alg: options.alg ?? 'ES256', kid: 'k1' })
      .setIssuer((claims.iss as string | undefined) ?? ISSUER)
      .setAudience((claims.aud as string | undefined) ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 60);
    if (options.sub !== null) jwt.setSubject(options.sub ?? 'alice');
    return jwt.sign(options.key ?? privateKey);
  };

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
    verifier = new TokenVerifier({ AUTH_JWKS: { keys: [publicJwk] }, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
  });

  it('accepts a valid token and keeps only known roles', async () => {
    const token = await sign({ roles: ['customer', 'superuser'] });
    await expect(verifier.verifyAuthorization(`Bearer ${token}`)).resolves.toEqual({ subject: 'alice', roles: ['customer'], token });
  });

  it('verifies the token of one request once, however often it is asked, and a refusal too', async () => {
    const verify = jest.spyOn(verifier, 'verify');
    try {
      const header = `Bearer ${await sign()}`;
      const request = {};
      const [first, second] = await Promise.all([verifier.verifyRequest(request, header), verifier.verifyRequest(request, header)]);
      expect(second).toBe(first);
      expect(verify).toHaveBeenCalledTimes(1);
      await verifier.verifyRequest({}, header);
      expect(verify).toHaveBeenCalledTimes(2);
      const forged = {};
      const bad = `Bearer ${await sign({ iss: 'https://evil.example' })}`;
      await expect(verifier.verifyRequest(forged, bad)).rejects.toMatchObject({ code: 'AUTH.TOKEN_INVALID' });
      await expect(verifier.verifyRequest(forged, bad)).rejects.toMatchObject({ code: 'AUTH.TOKEN_INVALID' });
      expect(verify).toHaveBeenCalledTimes(3);
    } finally {
      verify.mockRestore();
    }
  });

  it('checks a token’s signature once a minute at most, and never accepts it past its exp', async () => {
    const now = Date.now();
    // Date itself, for jose's clock too; promises and I/O stay real.
    jest.useFakeTimers({ now, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'setTimeout', 'clearTimeout'] });
    const checks = jest.spyOn(verifier as unknown as { verifySignatureAndClaims: () => Promise<unknown> }, 'verifySignatureAndClaims');
    try {
      const token = await sign({}, { exp: Math.floor(now / 1000) + 90 });
      const first = await verifier.verify(token);
      await expect(verifier.verify(token)).resolves.toEqual(first);
      expect(checks).toHaveBeenCalledTimes(1);
      jest.setSystemTime(now + 61_000); // past the minute: checked again
      await expect(verifier.verify(token)).resolves.toEqual(first);
      expect(checks).toHaveBeenCalledTimes(2);
      jest.setSystemTime(now + 120_000); // past its exp (and jose's tolerance): refused, cached or not
      await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'AUTH.TOKEN_EXPIRED' });
      const bad = await sign({ aud: 'billing' });
      await expect(verifier.verify(bad)).rejects.toMatchObject({ code: 'AUTH.TOKEN_INVALID' });
      await expect(verifier.verify(bad)).rejects.toMatchObject({ code: 'AUTH.TOKEN_INVALID' });
      expect(checks).toHaveBeenCalledTimes(5); // refusals are not remembered
    } finally {
      checks.mockRestore();
      jest.useRealTimers();
    }
  });

  it.each<[string, () => Promise<string>, string]>([
    ['another issuer', () => sign({ iss: 'https://evil.example' }), 'AUTH.TOKEN_INVALID'],
    ['another audience', () => sign({ aud: 'billing' }), 'AUTH.TOKEN_INVALID'],
    ['an expired token', () => sign({}, { exp: Math.floor(Date.now() / 1000) - 60 }), 'AUTH.TOKEN_EXPIRED'],
    ['no subject', () => sign({}, { sub: null }), 'AUTH.TOKEN_INVALID'],
    ['a subject that is no customer id', () => sign({}, { sub: 'alice; drop table' }), 'AUTH.TOKEN_INVALID'],
    ['a symmetric (HS256) token', () => sign({}, { alg: 'HS256', key: new TextEncoder().encode('x'.repeat(32)) }), 'AUTH.TOKEN_INVALID'],
    [
      'an unsigned token (alg none)',
      async () => {
        const [, payload] = (await sign()).split('.');
        return `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
      },
      'AUTH.TOKEN_INVALID',
    ],
  ])('refuses %s', async (_case, token, code) => {
    await expect(verifier.verifyAuthorization(`Bearer ${await token()}`)).rejects.toMatchObject({ code });
  });

  it('refuses a missing or malformed header', async () => {
    await expect(verifier.verifyAuthorization(undefined)).rejects.toMatchObject({ code: 'AUTH.TOKEN_MISSING' });
    await expect(verifier.verifyAuthorization('Basic YWxpY2U6eA==')).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('refuses everything when no keys are configured', async () => {
    const closed = new TokenVerifier({ AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
    expect(closed.configured).toBe(false);
    await expect(closed.verifyAuthorization(`Bearer ${await sign()}`)).rejects.toMatchObject({ code: 'AUTH.TOKEN_INVALID' });
  });

  describe('with a remote key set', () => {
    let server: Server;
    let status = 200;
    const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;

    beforeAll(async () => {
      server = createServer((_request, response) => {
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('fetches the keys from AUTH_JWKS_URL', async () => {
      const remote = new TokenVerifier({ AUTH_JWKS_URL: url(), AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
      await expect(remote.verify(await sign())).resolves.toMatchObject({ subject: 'alice' });
    });

    it('answers "unavailable", not "invalid token", while the key set cannot be fetched', async () => {
      status = 503;
      const remote = new TokenVerifier({ AUTH_JWKS_URL: url(), AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
      await expect(remote.verify(await sign())).rejects.toBeInstanceOf(KeysUnavailableError);
      status = 200;
      const nowhere = new TokenVerifier({ AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json', AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
      await expect(nowhere.verify(await sign())).rejects.toMatchObject({ kind: 'unavailable', code: 'AUTH.KEYS_UNAVAILABLE' });
    });
  });
});
