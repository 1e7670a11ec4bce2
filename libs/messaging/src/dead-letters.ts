import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { DEADLETTER_STREAM } from '@storefront/contracts';
import { deadLetterSubject, REPLAY_TARGET_HEADER, type DeadLetterRecord } from './dead-letter-record';
import { connectNats } from './jetstream';
import { Namespace } from './namespace';

/** A dead letter as stored: the consumer's record plus where and when the stream keeps it. */
export interface DeadLetter extends DeadLetterRecord {
  /** Its sequence in the DEADLETTER stream; the id to show, replay or discard it by. */
  readonly id: number;
  readonly storedAt: string;
}

export interface DeadLetterFilter {
  readonly service?: string;
  readonly consumer?: string;
}

export interface ReplayResult {
  readonly id: number;
  readonly subject: string;
  readonly consumer: string;
  /** False when JetStream dropped the publish as a duplicate of an earlier replay of the same dead letter. */
  readonly published: boolean;
}

export class DeadLetterNotFoundError extends Error {
  override readonly name = 'DeadLetterNotFoundError';
  readonly code = 'DEADLETTER.NOT_FOUND';

  constructor(id: number) {
    super(`no dead letter with id ${id}`);
  }
}

/**
 * The dead letters of a deployment (one messaging namespace): list and read them, replay one to the
 * consumer that gave up on it, or discard it. Used by `pnpm dlq`, by each service for its metric and
 * readiness detail, and by the invariant checker.
 *
 * A replay republishes the original message, unchanged, to its original subject, with a header
 * naming the consumer it is for: that consumer applies it through its inbox like any delivery (it
 * never recorded it, having given up), every other consumer of the subject acknowledges it
 * without applying it again, whatever its inbox still remembers. The publish carries a message id
 * of its own (`deadletter:<id>`), so replaying one dead letter twice within the de-duplication
 * window publishes once. Replayed or discarded dead letters are deleted from the stream.
 */
export class DeadLetters {
  /** The DEADLETTER stream of the namespace. */
  readonly stream: string;

  constructor(private readonly options: { readonly js: JetStreamClient; readonly jsm: JetStreamManager; readonly namespace: Namespace }) {
    this.stream = options.namespace.stream(DEADLETTER_STREAM);
  }

  /** Connects to NATS for a tool (the CLI, the invariant checker); `close()` when done. */
  static async connect(natsUrl: string, namespace = ''): Promise<{ deadLetters: DeadLetters; close: () => Promise<void> }> {
    const nc = await connectNats(natsUrl, 'dead-letters');
    const deadLetters = new DeadLetters({ js: jetstream(nc), jsm: await jetstreamManager(nc), namespace: new Namespace(namespace) });
    return { deadLetters, close: () => nc.close() };
  }

  /** How many dead letters each consumer has, keyed `service/consumer`; one request. */
  async counts(filter: DeadLetterFilter = {}): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const info = await this.options.jsm.streams.info(this.stream, { subjects_filter: this.filterSubject(filter) });
    for (const [subject, count] of Object.entries(info.state.subjects ?? {})) {
      const [service, consumer] = this.options.namespace.logical(subject).split('.').slice(1);
      counts.set(`${service}/${consumer}`, count);
    }
    return counts;
  }

  /** Every dead letter matching the filter, oldest first. */
  async list(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    const expected = [...(await this.counts(filter)).values()].reduce((sum, count) => sum + count, 0);
    if (expected === 0) return [];
    // An ordered consumer reads without leaving a durable behind on the server.
    const consumer = await this.options.js.consumers.get(this.stream, {
      filter_subjects: this.filterSubject(filter),
      deliver_policy: DeliverPolicy.All,
    });
    const messages = await consumer.consume({ max_messages: 256 });
    const letters: DeadLetter[] = [];
    try {
      for await (const message of messages) {
        letters.push(toDeadLetter(message));
        if (message.info.pending === 0) break;
      }
    } finally {
      await messages.close();
    }
    return letters;
  }

  async show(id: number): Promise<DeadLetter> {
    const stored = await this.options.jsm.streams.getMessage(this.stream, { seq: id }).catch(() => null);
    if (!stored) throw new DeadLetterNotFoundError(id);
    const record = stored.json<DeadLetterRecord>();
    return { ...record, id: stored.seq, storedAt: stored.time.toISOString() };
  }

  /** Republishes a dead letter for its consumer (see the class comment), then deletes it. */
  async replay(id: number): Promise<ReplayResult> {
    const letter = await this.show(id);
    const headers = natsHeaders();
    headers.set(REPLAY_TARGET_HEADER, letter.consumer);
    const ack = await this.options.js.publish(this.options.namespace.subject(letter.subject), letter.data, {
      msgID: `deadletter:${this.stream}:${id}`,
      headers,
    });
    await this.discard(id);
    return { id, subject: letter.subject, consumer: letter.consumer, published: !ack.duplicate };
  }

  /** Deletes a dead letter for good. */
  async discard(id: number): Promise<void> {
    const deleted = await this.options.jsm.streams.deleteMessage(this.stream, id, false).catch((error: unknown) => {
      if (/no message found|not found/i.test((error as Error).message)) return false;
      throw error;
    });
    if (!deleted) throw new DeadLetterNotFoundError(id);
  }

  private filterSubject(filter: DeadLetterFilter): string {
    if (filter.consumer && !filter.service) throw new Error('a consumer filter needs the service too');
    const subject = filter.service
      ? filter.consumer
        ? deadLetterSubject(filter.service, filter.consumer)
        : `${DEADLETTER_STREAM.domain}.${filter.service}.>`
      : `${DEADLETTER_STREAM.domain}.>`;
    return this.options.namespace.subject(subject);
  }
}

function toDeadLetter(message: JsMsg): DeadLetter {
  return { ...message.json<DeadLetterRecord>(), id: message.seq, storedAt: message.time.toISOString() };
}
