import type { Deployment } from './checker';
import { SERVICE_DATABASES, type ServiceDatabase } from './snapshot';

/** What `npm start` uses when nothing is set (libs/devstack: databases storefront_<service> on the local server). */
export const LOCAL_DEFAULTS = {
  gatewayUrl: 'http://127.0.0.1:8080',
  postgres: 'postgresql://postgres@127.0.0.1:5432',
  databasePrefix: 'storefront_',
  natsUrl: 'nats://127.0.0.1:4222',
} as const;

export const VARIABLES = [
  'GATEWAY_URL',
  'ADMIN_TOKEN',
  ...SERVICE_DATABASES.map((service) => `${service.toUpperCase()}_DATABASE_URL`),
  'NATS_URL',
  'MESSAGING_NAMESPACE',
  'INVARIANTS_SETTLE_SECONDS',
] as const;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * The deployment named by the environment (GATEWAY_URL, ADMIN_TOKEN, <SERVICE>_DATABASE_URL,
 * NATS_URL, MESSAGING_NAMESPACE); whatever is unset is `npm start`'s. The admin token has no local
 * default here: `mintToken` is asked for one when ADMIN_TOKEN is unset.
 */
export async function deploymentFromEnv(env: NodeJS.ProcessEnv, mintToken: () => Promise<string>): Promise<Deployment> {
  const databases = Object.fromEntries(
    SERVICE_DATABASES.map((service) => [
      service,
      env[`${service.toUpperCase()}_DATABASE_URL`] || `${LOCAL_DEFAULTS.postgres}/${LOCAL_DEFAULTS.databasePrefix}${service}`,
    ]),
  ) as Record<ServiceDatabase, string>;
  for (const [service, url] of Object.entries(databases)) {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new ConfigError(`${service.toUpperCase()}_DATABASE_URL must be a postgresql:// URL`);
  }
  const gatewayUrl = (env.GATEWAY_URL || LOCAL_DEFAULTS.gatewayUrl).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(gatewayUrl)) throw new ConfigError('GATEWAY_URL must be an http(s):// URL');
  return {
    gatewayUrl,
    adminToken: env.ADMIN_TOKEN || (await mintToken()),
    databases,
    natsUrl: env.NATS_URL || LOCAL_DEFAULTS.natsUrl,
    messagingNamespace: env.MESSAGING_NAMESPACE ?? '',
  };
}

export function settleSecondsFrom(env: NodeJS.ProcessEnv, fallback = 120): number {
  const raw = env.INVARIANTS_SETTLE_SECONDS;
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 3_600)
    throw new ConfigError('INVARIANTS_SETTLE_SECONDS must be a whole number from 0 to 3600');
  return value;
}
