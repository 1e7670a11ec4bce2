import { z } from 'zod';

/**
 * Where the keys that sign access tokens come from. Production points AUTH_JWKS_URL at the identity
 * provider's JWKS; `npm start` and the tests pass the public keys of a local dev issuer inline
 * (AUTH_JWKS). With neither set every protected route answers 401: a service never starts open.
 */
export const authConfigSchema = z.object({
  /** A JSON Web Key Set (public keys) as JSON text. */
  AUTH_JWKS: z
    .string()
    .optional()
    .transform((text, context) => {
      if (!text) return undefined;
      try {
        const parsed = JSON.parse(text) as { keys?: unknown };
        if (Array.isArray(parsed.keys)) return parsed as { keys: Record<string, unknown>[] };
      } catch {
        // reported below
      }
      context.addIssue({ code: 'custom', message: 'must be a JSON Web Key Set: {"keys":[...]}' });
      return z.NEVER;
    }),
  /** URL of the identity provider's JWKS, fetched and cached (keys rotate without a restart). */
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  /** Accepted `iss` of tokens. */
  AUTH_ISSUER: z.string().min(1).default('storefront-dev'),
  /** Required `aud` of tokens. */
  AUTH_AUDIENCE: z.string().min(1).default('storefront'),
});

export type AuthConfig = z.output<typeof authConfigSchema>;
