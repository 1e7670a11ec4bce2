import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Pool, PoolClient, QueryResult } from 'pg';
import { withConnection } from '@storefront/persistence';
import { messagingMetrics } from './metrics';
import type { Namespace } from './namespace';
import type { CommittedPublisher, OutboxEntry } from './outbox';
import { contextFromEnvelope, MESSAGING_ATTRIBUTES, messagingTracer, natsHeaderSetter } from './tracing';

export interface OutboxRelayOptions {
  readonly service: string;
  readonly pool: Pool;
  readonly js: JetStreamClient;
  readonly namespace: Namespace;
  /** Rows published per transaction. */
  readonly batchSize?: number;
  /** Fallback poll when no NOTIFY arrives (missed while reconnecting, for example). */
  readonly pollIntervalMs?: number;
  /** Back-off after a failed publish: doubles from the first value up to the second. */
  readonly backoffMs?: readonly [number, number];
  readonly publishTimeoutMs?: number;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, fields?: object) => void;
  /** Re-creates the streams; called when a publish found no stream for its subject (JetStream lost its state). */
  readonly onMissingStream?: () => Promise<void>;
  /**
   * Fault injection for tests: runs after a batch (or a transaction's rows published after commit)
   * was published and before it is marked sent, so a test can "crash" the relay exactly there by
   * throwing.
   */
  readonly afterPublish?: (eventIds: readonly string[]) => Promise<void>;
  /**
   * How long the relay leaves rows published after commit by the process that wrote them
   * (`relay_after`, see publishCommitted) before it publishes them itself: longer than a publish
   * and its mark take, short enough that an event of a process that died leaves soon.
   */
  readonly graceMs?: number;
  /**
   * How long marks of rows published after commit wait for others, to go in one statement: at a few
   * orders per second, 20 ms left a mark for every few transactions (docs/bench.md item 59).
   */
  readonly markDelayMs?: number;
}

/** A claimed row; its body is the envelope as stored, published as it is (no parse and re-serialization). */
interface OutboxRow extends OutboxEntry {
  readonly position: string;
}

/**
 * The claim, prepared once per connection (`PREPARE`, see `claimOn`) and run as `EXECUTE` after
 * opening the batch's transaction, in one round trip (a simple-protocol query may hold several
 * statements; nothing in it comes from outside). Measured per order (docs/bench.md, items 41–42):
 * - It marks the rows sent as it locks them (`UPDATE … RETURNING`), so the commit after the
 *   publishes is all that is left; a separate `SELECT … FOR UPDATE SKIP LOCKED` and a mark
 *   `UPDATE … WHERE id = ANY(…)` looked the same rows up twice. Nobody sees the mark before the
 *   commit; a publish that failed is set back to unpublished in the same transaction, and a relay
 *   that dies before committing leaves every row unpublished, as before.
 * - It reads the pending index as an ordered index scan (`enable_bitmapscan` and `enable_seqscan`
 *   off for the batch's transaction). With the statistics of a busy outbox (few unpublished rows,
 *   positions scattered over the heap by the marks) the planner chose a bitmap scan or a sequential
 *   scan and a sort: neither marks the index entries of rows it finds dead, so every claim visited
 *   every row published since the last vacuum (hundreds of heap pages, growing with the outbox
 *   between autovacuums, which the day of retention makes rare). The index scan marks them, and the
 *   next claim skips them.
 * - Prepared, it is planned once per connection instead of at every claim.
 * The commit does not wait for the WAL flush: if the server crashed before flushing it, the rows
 * would be published again and dropped as duplicates (JetStream's Nats-Msg-Id window, then the
 * consumers' inbox), which is what already happens when the relay dies between publishing and marking.
 */
function claimStatementOf(batchSize: number): { name: string; prepare: string; claim: string } {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, not ${batchSize}`);
  const name = `outbox_claim_${batchSize}`;
  return {
    name,
    prepare: `PREPARE "${name}" AS
  UPDATE "outbox" SET "published_at" = now() WHERE "position" = ANY(ARRAY(
    SELECT "position" FROM "outbox" WHERE "published_at" IS NULL AND ("relay_after" IS NULL OR "relay_after" <= now())
    ORDER BY "position" LIMIT ${batchSize} FOR UPDATE SKIP LOCKED))
  RETURNING "position", "id", "subject", "envelope"::text AS "body", "envelope"->'traceContext' AS "traceContext"`,
    claim: `BEGIN; SET LOCAL synchronous_commit TO off; SET LOCAL enable_bitmapscan TO off; SET LOCAL enable_seqscan TO off; EXECUTE "${name}"`,
  };
}

/** The claim statements prepared on each connection (a pool hands out the same client objects again). */
const preparedOn = new WeakMap<PoolClient, Set<string>>();

/** Prepares the claim on a connection that has not got it yet (one round trip, once per connection). */
async function claimOn(client: PoolClient, statement: ReturnType<typeof claimStatementOf>): Promise<string> {
  let prepared = preparedOn.get(client);
  if (!prepared) preparedOn.set(client, (prepared = new Set()));
  if (!prepared.has(statement.name)) {
    await client.query(statement.prepare);
    prepared.add(statement.name);
  }
  return statement.claim;
}

/** A literal array of uuids (checked: they go into the statement's text). */
function uuidsOf(ids: readonly string[]): string {
  for (const id of ids) if (!UUID.test(id)) throw new Error(`not a uuid: ${id}`);
  return `'{${ids.join(',')}}'::uuid[]`;
}

/** Sets rows whose publish failed back to unpublished (ids are the uuids the claim returned). */
function unclaimOf(ids: readonly string[]): string {
  return `UPDATE "outbox" SET "published_at" = NULL WHERE "id" = ANY(${uuidsOf(ids)})`;
}

/**
 * Marks rows published after commit, in one round trip without waiting for the WAL flush: a mark
 * lost with a crash of the server only has the relay publish them again, and JetStream drop them.
 */
function markOf(ids: readonly string[]): string {
  return `BEGIN; SET LOCAL synchronous_commit TO off;
  UPDATE "outbox" SET "published_at" = now() WHERE "id" = ANY(${uuidsOf(ids)}) AND "published_at" IS NULL; COMMIT`;
}

/** Commit order: RETURNING gives the rows in no particular order. */
function byPosition(a: OutboxRow, b: OutboxRow): number {
  const [left, right] = [BigInt(a.position), BigInt(b.position)];
  return left < right ? -1 : left > right ? 1 : 0;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Publishes committed outbox rows to JetStream and marks them sent.
 *
 * - Rows written by a transaction that publishes after commit (Outbox, CommittedPublisher) are
 *   handed to publishCommitted by the process that wrote them, right after the commit; they are
 *   marked in batches (one statement every `markDelayMs` at most). The claim skips them until their
 *   `relay_after`, so the relay publishes only what that missed: the process died after the commit,
 *   the publish failed, or the mark did (published twice, dropped by JetStream as a duplicate).
 * - Wakes on the outbox NOTIFY (sent when a writing transaction commits) and polls as a fallback.
 * - Claims rows with FOR UPDATE SKIP LOCKED, so replicas share the work and never publish a row
 *   another replica holds.
 * - Publishes with Nats-Msg-Id = event id: if it dies after publishing but before marking, the
 *   row is published again and JetStream drops the duplicate.
 * - While NATS is unreachable it keeps the rows and retries with back-off; nothing is lost. When
 *   JetStream lost its streams, it has them re-created (onMissingStream).
 * - Order: rows are published in commit order. Across replicas, or when a publish fails and is
 *   retried, a later event can overtake an earlier one; consumers are built to tolerate that.
 * - Each publish is a PRODUCER span in the trace that wrote the row (the envelope's traceContext);
 *   its context travels in the NATS headers.
 *
 * Hand-written because the job is small and specific (a claim query, a publish, an update); the
 * general-purpose outbox packages for Node bring their own ORM or broker abstractions.
 */
export class OutboxRelay implements CommittedPublisher {
  readonly graceMs: number;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A commit was announced since the last claim. */
  private notified = false;
  private listener: PoolClient | undefined;
  private failures = 0;
  private readonly batchSize: number;
  private readonly claim: ReturnType<typeof claimStatementOf>;
  private readonly pollIntervalMs: number;
  private readonly backoff: readonly [number, number];
  private readonly log: NonNullable<OutboxRelayOptions['log']>;
  private readonly markDelayMs: number;
  /** Transactions' rows handed to publishCommitted and not yet published (publishCommittedNow). */
  private committed: (readonly OutboxEntry[])[] = [];
  /** Transactions being published (publishTransaction), which stop waits for. */
  private readonly publishing = new Set<Promise<void>>();
  /** Ids published after commit and not yet marked. */
  private unmarked: string[] = [];
  private marking: Promise<void> | undefined;
  /** Ends the wait of the marks for others at once (stop). */
  private markNow: (() => void) | undefined;
  private directFailures = 0;
  private markFailures = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.graceMs = options.graceMs ?? 3_000;
    this.markDelayMs = options.markDelayMs ?? 200;
    this.batchSize = options.batchSize ?? 100;
    this.claim = claimStatementOf(this.batchSize);
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.backoff = options.backoffMs ?? [200, 10_000];
    this.log = options.log ?? (() => undefined);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listen();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    // What committed transactions handed over goes out now, and is marked below.
    if (this.running) this.publishCommittedNow();
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.allSettled(this.publishing);
    this.markNow?.();
    await this.marking;
    const listener = this.listener;
    this.listener = undefined;
    // A LISTENing session must not go back to the pool: destroy it.
    listener?.release(true);
  }

  /** Publishes one batch; returns how many rows it published. Throws when a publish failed. */
  async publishBatch(): Promise<number> {
    return withConnection(this.options.pool, async (client) => {
      try {
        const results = (await client.query(await claimOn(client, this.claim))) as unknown as QueryResult<OutboxRow>[];
        const rows = (results.at(-1)?.rows ?? []).sort(byPosition);
        if (rows.length === 0) {
          await client.query('COMMIT');
          return 0;
        }
        // All publishes of a batch are in flight at once (one connection keeps their order); a failed
        // one is set back to unpublished and retried, the ones that succeeded stay marked.
        const settled = await Promise.allSettled(rows.map((row) => this.publish(row)));
        const published = rows.filter((_row, index) => settled[index]?.status === 'fulfilled').map((row) => row.id);
        const failedAt = settled.findIndex((result) => result.status === 'rejected');
        const failedResult = settled[failedAt];
        const failure =
          failedResult?.status === 'rejected' ? { row: rows[failedAt] as OutboxRow, error: failedResult.reason as Error } : undefined;
        await this.options.afterPublish?.(published);
        if (failure) {
          await client.query(unclaimOf(rows.filter((row) => !published.includes(row.id)).map((row) => row.id)));
          await client.query('UPDATE "outbox" SET "attempts" = "attempts" + 1, "last_error" = $2 WHERE "id" = $1', [
            failure.row.id,
            failure.error.message.slice(0, 2_000),
          ]);
        }
        await client.query('COMMIT');
        for (const row of rows.filter((candidate) => published.includes(candidate.id))) {
          messagingMetrics.published.inc({ service: this.options.service, subject: row.subject });
        }
        if (failure) throw failure.error;
        return published.length;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * Publishes rows of a transaction that has just committed, in their order, on the event loop's
   * next turn (publishCommittedNow), and marks them sent soon after. Returns at once: a failure
   * leaves the rows to the relay (after their `relay_after`).
   */
  publishCommitted(entries: readonly OutboxEntry[]): void {
    if (!this.running) return;
    this.committed.push(entries);
    if (this.committed.length === 1) setImmediate(() => this.running && this.publishCommittedNow());
  }

  /**
   * Publishes what transactions that committed since the last turn of the event loop handed over,
   * in one go: the publishes of one synchronous run leave in one socket write (nats.js flushes its
   * buffer once per microtask checkpoint), where each commit's own turn made a write per
   * transaction, and on loopback a write costs the receiver's work too (docs/bench.md item 60).
   */
  private publishCommittedNow(): void {
    const transactions = this.committed;
    this.committed = [];
    for (const entries of transactions) {
      const publishing = this.publishTransaction(entries).catch((error: unknown) => {
        this.log('warn', 'publishing after commit failed; the relay publishes those events', { err: error });
      });
      this.publishing.add(publishing);
      void publishing.finally(() => this.publishing.delete(publishing));
    }
  }

  /** Publishes one transaction's rows and queues their marks. */
  private async publishTransaction(entries: readonly OutboxEntry[]): Promise<void> {
    await Promise.allSettled(entries.map((entry) => this.publish(entry))).then(async (settled) => {
      const published = entries.filter((_entry, index) => settled[index]?.status === 'fulfilled');
      for (const entry of published) messagingMetrics.published.inc({ service: this.options.service, subject: entry.subject });
      if (published.length < entries.length) {
        this.directFailures += 1;
        if (this.directFailures === 1 || this.directFailures % 100 === 0) {
          const failure = settled.find((result) => result.status === 'rejected') as PromiseRejectedResult;
          this.log('warn', 'publishing after commit failed; the relay publishes those events', {
            err: failure.reason as Error,
            failures: this.directFailures,
          });
        }
      }
      if (published.length === 0) return;
      const ids = published.map((entry) => entry.id);
      await (this.options.afterPublish?.(ids) ?? Promise.resolve()).then(
        () => {
          this.unmarked.push(...ids);
          this.marking ??= this.markSoon();
        },
        () => undefined, // "crashed" before marking: the relay publishes them again after their grace
      );
    });
  }

  /** Marks what was published after commit, in one statement per `markDelayMs` at most. */
  private async markSoon(): Promise<void> {
    try {
      while (this.unmarked.length > 0) {
        if (this.running) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, this.markDelayMs);
            this.markNow = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.markNow = undefined;
        }
        const ids = this.unmarked.splice(0, 1_000);
        await this.options.pool.query(markOf(ids)).catch((error: unknown) => {
          // The relay publishes them again after their relay_after; JetStream drops the duplicates.
          this.markFailures += 1;
          if (this.markFailures === 1 || this.markFailures % 100 === 0) {
            this.log('warn', 'cannot mark events published after commit; the relay will publish them again', {
              err: error,
              failures: this.markFailures,
            });
          }
        });
      }
    } finally {
      this.marking = undefined;
    }
  }

  /** Publishes until the outbox is empty (tests and benchmarks). */
  async drain(): Promise<number> {
    let total = 0;
    for (let count = await this.publishBatch(); count > 0; count = await this.publishBatch()) total += count;
    return total;
  }

  private async publish(row: OutboxEntry): Promise<void> {
    const subject = this.options.namespace.subject(row.subject);
    const body = row.body;
    const parent = contextFromEnvelope(row.traceContext ?? undefined);
    const span = messagingTracer().startSpan(
      `publish ${row.subject}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          [MESSAGING_ATTRIBUTES.system]: 'nats',
          [MESSAGING_ATTRIBUTES.destination]: subject,
          [MESSAGING_ATTRIBUTES.operationType]: 'send',
          [MESSAGING_ATTRIBUTES.operationName]: 'publish',
          [MESSAGING_ATTRIBUTES.messageId]: row.id,
          [MESSAGING_ATTRIBUTES.bodySize]: Buffer.byteLength(body),
        },
      },
      parent,
    );
    const headers = natsHeaders();
    propagation.inject(trace.setSpan(parent, span), headers, natsHeaderSetter);
    try {
      await this.options.js.publish(subject, body, { msgID: row.id, headers, timeout: this.options.publishTimeoutMs ?? 5_000 });
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  }

  private async listen(): Promise<void> {
    try {
      const client = await this.options.pool.connect();
      client.on('notification', () => {
        this.notified = true;
        this.wake?.();
      });
      client.on('error', (error: Error) => {
        if (this.listener !== client) return; // already let go of
        // The poll keeps publishing meanwhile; listen again on the next loop turn.
        this.log('warn', 'outbox listener lost its connection', { err: error });
        this.listener = undefined;
        client.release(error);
      });
      await client.query('LISTEN outbox');
      this.listener = client;
    } catch (error) {
      this.log('warn', 'cannot LISTEN for outbox commits; polling only for now', { err: error });
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let published = 0;
      try {
        if (!this.listener) await this.listen();
        this.notified = false;
        published = await this.publishBatch();
        if (this.failures > 0) this.log('info', 'outbox relay publishing again', { afterFailures: this.failures });
        this.failures = 0;
      } catch (error) {
        this.failures += 1;
        if (this.failures === 1 || this.failures % 20 === 0) {
          this.log('warn', 'outbox relay cannot publish; retrying with back-off', { err: error, failures: this.failures });
        }
        // nats.js reports "no stream takes this subject" (no responders) as JetStreamNotEnabled.
        if ((error as Error).name === 'JetStreamNotEnabled') await this.options.onMissingStream?.().catch(() => undefined);
      }
      if (this.failures === 0 && (published >= this.batchSize || this.notified)) continue;
      const [first, max] = this.backoff;
      const backingOff = this.failures > 0;
      const delay = backingOff ? Math.min(max, first * 2 ** (this.failures - 1)) * (0.5 + Math.random() / 2) : this.pollIntervalMs;
      await this.sleep(delay, !backingOff);
    }
  }

  /** Sleeps; a NOTIFY ends it early unless backing off; stop() always does. */
  private sleep(ms: number, wakeOnNotify: boolean): Promise<void> {
    // stop() may have been called while a batch was publishing, before there was a sleep to end.
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = () => {
        if (wakeOnNotify || !this.running) done();
      };
    });
  }
}
