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

export const natsConfigSchema = z.object({
  NATS_URL: z.url({ protocol: /^(nats|tls)$/, error: 'must be a nats:// URL' }).default('nats://127.0.0.1:4222'),
  /** Prefix of every subject and stream; empty in production, set by tests to isolate runs. */
  MESSAGING_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9]*$/, 'must be lower-case letters and digits')
    .default(''),
  /** How long JetStream waits for a consumer's ack before redelivering (a crashed consumer). */
  CONSUMER_ACK_WAIT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** Times the domain may refuse a message before it goes to the dead-letter stream (outages never count). */
  CONSUMER_MAX_DELIVER: z.coerce.number().int().min(1).max(100).default(5),
  /** Published outbox rows are deleted this long after publishing. */
  OUTBOX_RETENTION_SECONDS: z.coerce.number().int().min(60).default(24 * 60 * 60),
  /**
   * Inbox rows (processed event ids) are deleted this long after processing, and never while their
   * event may still be redelivered; at least an hour, well past the de-duplication window and ack wait.
   */
  INBOX_RETENTION_SECONDS: z.coerce.number().int().min(3_600).default(7 * 24 * 60 * 60),
  /** Time between two prunings of the outbox and inbox. */
  MESSAGING_PRUNE_INTERVAL_MS: z.coerce.number().int().min(1_000).default(5 * 60_000),
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
