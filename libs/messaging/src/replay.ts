import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { envelopeSchemaOf, type EnvelopeOf, type EventDefinition } from '@storefront/contracts';
import type { Namespace } from './namespace';

export interface ReplayResult {
  /** Events of the given definitions that were applied. */
  readonly applied: number;
  /** Per stream, the last sequence the replay read up to (the stream's end when it began). */
  readonly lastSequences: Readonly<Record<string, number>>;
}

/**
 * Reads the whole history of the streams holding `definitions`, from the first message to the last
 * one present when the replay began, and hands every matching event to `apply` in stream order.
 * Used to rebuild read models; an ordered consumer leaves no state behind on the server.
 */
export async function replayHistory(options: {
  js: JetStreamClient;
  jsm: JetStreamManager;
  namespace: Namespace;
  definitions: readonly EventDefinition[];
  apply: (definition: EventDefinition, event: EnvelopeOf<EventDefinition>) => Promise<void>;
  /** Start after these sequences instead of at the beginning (a second pass over the tail). */
  after?: Readonly<Record<string, number>>;
}): Promise<ReplayResult> {
  const bySubject = new Map(options.definitions.map((definition) => [definition.subject, definition]));
  const streams = [...new Map(options.definitions.map((definition) => [definition.stream.name, definition.stream])).values()];
  const lastSequences: Record<string, number> = {};
  let applied = 0;
  for (const stream of streams) {
    const name = options.namespace.stream(stream);
    const end = (await options.jsm.streams.info(name)).state.last_seq;
    const start = options.after?.[stream.name] ?? 0;
    lastSequences[stream.name] = end;
    if (end <= start) continue;
    const consumer = await options.js.consumers.get(name, {
      ...(start > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start + 1 } : { deliver_policy: DeliverPolicy.All }),
    });
    const messages = await consumer.consume({ max_messages: 256 });
    for await (const message of messages) {
      const definition = bySubject.get(options.namespace.logical(message.subject));
      if (definition) {
        const event = envelopeSchemaOf(definition).parse(message.json()) as EnvelopeOf<EventDefinition>;
        await options.apply(definition, event);
        applied += 1;
      }
      if (message.seq >= end) break;
    }
    await messages.close();
  }
  return { applied, lastSequences };
}
