import { RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import type { StreamDefinition } from '@storefront/contracts';
import type { Namespace } from './namespace';

export interface StreamSettings {
  /** JetStream drops a message whose Nats-Msg-Id it saw within this window. */
  readonly duplicateWindowMs: number;
  /** How long events are kept; long enough to rebuild read models from history. */
  readonly maxAgeMs: number;
}

export const DEFAULT_STREAM_SETTINGS: StreamSettings = {
  duplicateWindowMs: 10 * 60_000,
  maxAgeMs: 365 * 24 * 60 * 60_000,
};

/**
 * A connection that keeps reconnecting for as long as the process lives.
 *
 * `noAsyncTraces`: without it the client captures a stack trace for every request (a JetStream
 * publish is one) in case it fails, to name the caller in the error: about 8 of the 21 µs of CPU a
 * publish cost (docs/bench.md). A failed publish or request still says what failed and why.
 */
export function connectNats(url: string, name: string): Promise<NatsConnection> {
  return connect({
    servers: url,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: false,
    noAsyncTraces: true,
  });
}

/**
 * Creates the streams, or brings their settings up to date; safe to run at every start-up, from
 * every replica. File storage, so a NATS restart loses nothing.
 */
export async function ensureStreams(
  jsm: JetStreamManager,
  namespace: Namespace,
  streams: readonly StreamDefinition[],
  settings: StreamSettings = DEFAULT_STREAM_SETTINGS,
): Promise<void> {
  for (const stream of streams) {
    const config = {
      name: namespace.stream(stream),
      subjects: [namespace.streamSubjects(stream)],
      description: stream.description,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      duplicate_window: nanos(settings.duplicateWindowMs),
      max_age: nanos(settings.maxAgeMs),
    };
    try {
      await jsm.streams.info(config.name);
      await jsm.streams.update(config.name, config);
    } catch (error) {
      if (!String((error as Error).message).includes('stream not found')) throw error;
      await jsm.streams.add(config).catch(async (addError: unknown) => {
        // Another replica created it between our two calls.
        if (!String((addError as Error).message).includes('already in use')) throw addError;
        await jsm.streams.update(config.name, config);
      });
    }
  }
}

/** Deletes the streams of a namespace (tests clean up after themselves on a shared server). */
export async function deleteStreams(jsm: JetStreamManager, namespace: Namespace, streams: readonly StreamDefinition[]): Promise<void> {
  for (const stream of streams) await jsm.streams.delete(namespace.stream(stream)).catch(() => undefined);
}

/**
 * Whether the server takes several filter subjects per consumer (`filter_subjects`, NATS 2.10+).
 * nats.js keeps the connection on its JetStream clients without declaring it in their interface.
 */
export function serverTakesManyFilters(jsm: JetStreamManager): boolean {
  const version = (jsm as unknown as { getConnection?(): { info?: { version?: string } } }).getConnection?.().info?.version;
  const [major = 0, minor = 0] = (version ?? '0.0').split('.').map(Number);
  return major > 2 || (major === 2 && minor >= 10);
}
