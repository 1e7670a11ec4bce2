import { DEADLETTER_STREAM } from '@storefront/contracts';

/**
 * What a consumer writes to the DEADLETTER stream when it gives up on a message, on the subject
 * `deadletter.<service>.<consumer>`. Readers (`pnpm dlq`, the invariant checker) rely on it: new
 * fields may be added, none removed or changed in meaning.
 */
export interface DeadLetterRecord {
  readonly consumer: string;
  readonly service: string;
  /** The logical subject (no namespace prefix) the message was published on. */
  readonly subject: string;
  /** The namespaced stream the message came from, and its sequence there. */
  readonly stream?: string;
  readonly streamSequence: number;
  /** Deliveries JetStream counted, transient failures included. */
  readonly deliveries: number;
  /** `contract`: the message breaks its schema; `refused`: the domain refused it `refusals` times. */
  readonly reason?: 'contract' | 'refused';
  readonly refusals?: number;
  /** The event's id, when the message could be read as JSON with one. */
  readonly eventId?: string;
  readonly error: { readonly name: string; readonly message: string; readonly code?: string };
  readonly failedAt: string;
  /** The message body exactly as it was delivered. */
  readonly data: string;
}

/**
 * Header of a replayed dead letter naming the one consumer it is for: other consumers of the
 * subject acknowledge it without applying it (they applied the original).
 */
export const REPLAY_TARGET_HEADER = 'Storefront-Replay-For';

export function deadLetterSubject(service: string, consumer: string): string {
  return `${DEADLETTER_STREAM.domain}.${service}.${consumer}`;
}
