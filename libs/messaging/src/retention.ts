import type { JetStreamManager } from '@nats-io/jetstream';
import type { Pool } from 'pg';

export interface RetentionSettings {
  /** Published outbox rows are deleted this long after they were published. */
  readonly outboxMs: number;
  /** Inbox rows are deleted this long after they were written, and only when safe (see RetentionSweeper). */
  readonly inboxMs: number;
  /** Time between sweeps. */
  readonly intervalMs: number;
  /** Rows per DELETE; a sweep deletes batch after batch until nothing is left. */
  readonly batchSize: number;
  /** Room for the clocks of NATS, PostgreSQL and this process to disagree: the horizon compares their times. */
  readonly clockSkewMarginMs: number;
}

export const DEFAULT_RETENTION: RetentionSettings = {
  outboxMs: 24 * 60 * 60_000,
  inboxMs: 7 * 24 * 60 * 60_000,
  intervalMs: 5 * 60_000,
  batchSize: 1_000,
  clockSkewMarginMs: 60_000,
};

/** A consumer whose inbox rows may be pruned: its durable name and stream. */
export interface PrunableConsumer {
  readonly durable: string;
  readonly streamName: string;
}

const DELETE_OUTBOX = `
  DELETE FROM "outbox" WHERE "position" IN (
    SELECT "position" FROM "outbox"
    WHERE "published_at" < now() - $1 * interval '1 millisecond'
    ORDER BY "position" LIMIT $2)`;

/** The cutoff: `inboxMs` ago, and before the oldest message the consumer may still be delivered. */
const ADVANCE_HORIZON = `
  WITH "cutoff" AS (
    SELECT LEAST(now() - $2 * interval '1 millisecond', $3::timestamptz) AS "at")
  INSERT INTO "inbox_horizon" ("consumer", "pruned_before") SELECT $1, "at" FROM "cutoff"
  ON CONFLICT ("consumer") DO UPDATE SET "pruned_before" = GREATEST("inbox_horizon"."pruned_before", EXCLUDED."pruned_before")
  RETURNING (SELECT "at" FROM "cutoff") AS "cutoff"`;

const DELETE_INBOX = `
  DELETE FROM "inbox" WHERE ("consumer", "event_id") IN (
    SELECT "consumer", "event_id" FROM "inbox"
    WHERE "consumer" = $1 AND "processed_at" < $2
    LIMIT $3)`;

/**
 * Deletes published outbox rows and old inbox rows in the background, in batches.
 *
 * Outbox: a published row is never read again (the relay reads unpublished rows only); it is kept
 * `outboxMs` for people looking into what was sent.
 *
 * Inbox: a row is what makes a redelivery of its event a no-op, so it must outlive every way the
 * event can come back to the same consumer:
 * - JetStream's de-duplication window only covers publishes of the same Nats-Msg-Id, not deliveries;
 * - a delivered event comes back while it is unacknowledged (a crash before the ack, a lost ack), for
 *   however long that takes: the consumer's ack floor says which messages can no longer come back,
 *   so rows are kept while they are younger than the first message after the ack floor (less a
 *   margin for clock skew), whatever `inboxMs` says;
 * - a consumer that JetStream lost is created again and would read the stream from the start: the
 *   cutoff of each sweep is recorded first as the consumer's horizon (inbox_horizon), every event
 *   published before it had been acknowledged, so a new consumer starts reading there
 *   (`inboxHorizon`) instead of replaying events whose rows are gone;
 * - a replayed dead letter is delivered only to the consumer that gave up on it, which never
 *   recorded it (see DeadLetters).
 * `inboxMs` (a week by default) keeps the rows long after all of that, for people and for replays
 * of the same dead letter twice.
 */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly options: {
      readonly pool: Pool;
      readonly jsm: JetStreamManager;
      readonly consumers: () => readonly PrunableConsumer[];
      readonly settings: RetentionSettings;
      readonly log?: (level: 'info' | 'warn', message: string, fields?: object) => void;
    },
  ) {}

  start(): void {
    this.stopped = false;
    const schedule = () => {
      this.timer = setTimeout(() => {
        this.sweeping = this.sweep()
          .catch((error: unknown) => this.options.log?.('warn', 'pruning the outbox and inbox failed; trying again later', { err: error }))
          .finally(() => {
            if (!this.stopped) schedule();
          });
      }, this.options.settings.intervalMs);
      this.timer.unref();
    };
    schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping;
  }

  /** One sweep; returns the rows it deleted. */
  async sweep(): Promise<{ outbox: number; inbox: number }> {
    const { pool, settings } = this.options;
    const outbox = await this.deleteInBatches(DELETE_OUTBOX, [settings.outboxMs, settings.batchSize]);
    let inbox = 0;
    for (const consumer of this.options.consumers()) {
      if (this.stopped) break;
      const oldestPending = await this.oldestPendingMessage(consumer);
      if (oldestPending === 'unknown') continue;
      // Nothing pending: the next message to come is stored after now.
      const limit = new Date((oldestPending ?? new Date()).getTime() - settings.clockSkewMarginMs);
      const { rows } = await pool.query<{ cutoff: Date }>(ADVANCE_HORIZON, [consumer.durable, settings.inboxMs, limit]);
      const cutoff = rows[0]?.cutoff;
      if (cutoff) inbox += await this.deleteInBatches(DELETE_INBOX, [consumer.durable, cutoff, settings.batchSize]);
    }
    if (outbox + inbox > 0) this.options.log?.('info', 'pruned the outbox and inbox', { outbox, inbox });
    return { outbox, inbox };
  }

  /**
   * When the first message past the consumer's ack floor was stored: that message and every later
   * one may still be delivered. Null when nothing is pending; 'unknown' when it cannot be told.
   */
  private async oldestPendingMessage(consumer: PrunableConsumer): Promise<Date | null | 'unknown'> {
    try {
      const info = await this.options.jsm.consumers.info(consumer.streamName, consumer.durable);
      if (info.num_pending === 0 && info.num_ack_pending === 0) return null;
      const next = await this.options.jsm.streams.getMessage(consumer.streamName, { seq: info.ack_floor.stream_seq + 1 });
      return next ? next.time : 'unknown';
    } catch {
      return 'unknown';
    }
  }

  private async deleteInBatches(query: string, values: unknown[]): Promise<number> {
    const batchSize = this.options.settings.batchSize;
    let total = 0;
    for (;;) {
      const { rowCount } = await this.options.pool.query(query, values);
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < batchSize || this.stopped) return total;
      await new Promise((resolve) => setTimeout(resolve, 20)); // let other work at the tables in between
    }
  }
}

/**
 * Where a consumer created again should start reading: just after the horizon its inbox was pruned
 * to (the events before it were all applied and acknowledged), or null when it never was.
 */
export async function inboxHorizon(
  pool: Pool,
  durable: string,
  clockSkewMarginMs = DEFAULT_RETENTION.clockSkewMarginMs,
): Promise<Date | null> {
  const { rows } = await pool.query<{ pruned_before: Date }>('SELECT "pruned_before" FROM "inbox_horizon" WHERE "consumer" = $1', [
    durable,
  ]);
  const horizon = rows[0]?.pruned_before;
  return horizon ? new Date(horizon.getTime() + clockSkewMarginMs) : null;
}
