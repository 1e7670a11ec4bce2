import type { TokenRequest } from '@storefront/devstack';

/** The file the k6 scripts read (TOKENS_FILE): one token per simulated customer, and an admin's. */
export interface TokenFile {
  readonly issuer: string;
  readonly expiresAt: string;
  readonly customers: { readonly id: string; readonly token: string }[];
  readonly admin: { readonly id: string; readonly token: string };
}

export interface TokenFileOptions {
  readonly customers: number;
  readonly ttlSeconds: number;
  /** Customer ids are `<prefix>-0001`, `<prefix>-0002`, … */
  readonly prefix?: string;
}

/**
 * Signs a token per simulated customer (each VU plays one, so each has its own orders and its own
 * rate limit at the gateway) and one for an admin, with whatever issuer the target trusts.
 */
export async function makeTokenFile(sign: (request: TokenRequest) => Promise<string>, options: TokenFileOptions): Promise<TokenFile> {
  const prefix = options.prefix ?? 'k6';
  const width = Math.max(4, String(options.customers).length);
  const customers = await Promise.all(
    Array.from({ length: options.customers }, async (_, index) => {
      const id = `${prefix}-${String(index + 1).padStart(width, '0')}`;
      return { id, token: await sign({ subject: id, roles: ['customer'], expiresInSeconds: options.ttlSeconds }) };
    }),
  );
  const adminId = `${prefix}-admin`;
  return {
    issuer: 'storefront-dev',
    expiresAt: new Date(Date.now() + options.ttlSeconds * 1000).toISOString(),
    customers,
    admin: { id: adminId, token: await sign({ subject: adminId, roles: ['admin'], expiresInSeconds: options.ttlSeconds }) },
  };
}
