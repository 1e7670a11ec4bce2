import { z } from 'zod';

/**
 * Variables of a service that publishes and consumes through this library: where NATS is, the
 * namespace of its subjects and streams, consumer settings (ack wait, deliveries before the
 * dead-letter stream) and outbox/inbox retention. Services spread it into their config schema.
 */
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
  OUTBOX_RETENTION_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(24 * 60 * 60),
  /**
   * Inbox rows (processed event ids) are deleted this long after processing, and never while their
   * event may still be redelivered; at least an hour, well past the de-duplication window and ack wait.
   */
  INBOX_RETENTION_SECONDS: z.coerce
    .number()
    .int()
    .min(3_600)
    .default(7 * 24 * 60 * 60),
  /** Time between two prunings of the outbox and inbox. */
  MESSAGING_PRUNE_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(5 * 60_000),
});
