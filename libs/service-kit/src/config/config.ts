import { z } from 'zod';
import { authConfigSchema } from '../auth/auth.config';
import { faultConfigSchema } from '../faults/fault-injection';
import { tracingConfigSchema } from '../tracing/tracing';

/** A configuration that cannot start the process. The message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const port = z.coerce.number().int().min(0).max(65_535);

/** Variables every service and the gateway read. */
export const baseConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  HTTP_PORT: port,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  /** OTLP/HTTP collector base URL (the SDK posts to <url>/v1/traces); unset: no span is exported. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .union([z.literal(''), z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })])
    .optional(),
  /**
   * One log line per HTTP request ("true"/"false"); unset: true, in production false (errors and
   * warnings are logged either way, and request counts and latencies are in /metrics).
   */
  ACCESS_LOG: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z
      .enum(['true', 'false'])
      .transform((value) => value === 'true')
      .optional(),
  ),
  ...tracingConfigSchema.shape,
  ...authConfigSchema.shape,
  ...faultConfigSchema.shape,
});
export type BaseConfig = z.output<typeof baseConfigSchema>;

export const grpcServerConfigSchema = z.object({ GRPC_PORT: port });

export const databaseConfigSchema = z.object({
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgresql:// URL' })
    .describe('PostgreSQL URL of this service’s own database'),
  /** Connections of the service's query pool (the outbox relay and consumers keep a few more). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
});

/** Parses `env` with `schema`; throws a ConfigError that names each offending variable. */
export function parseConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const variable = issue.path.join('.') || '(environment)';
    const value = env[variable];
    const received = value === undefined ? 'it is not set' : `got ${JSON.stringify(value)}`;
    return `  ${variable}: ${issue.message} (${received})`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

/** Like parseConfig, but a bad configuration prints the problem and stops the process. */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  try {
    return parseConfig(schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\nSee .env.example for every variable.\n`);
    process.exit(1);
  }
}
