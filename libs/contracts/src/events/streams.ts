/**
 * JetStream streams, one per domain. A stream holds every event its domain ever published (until
 * retention), so read models can be rebuilt by replaying it. Each domain's stream is defined beside
 * its events (`<domain>.events.ts`); `STREAMS` (registry.ts) is derived from the registered events.
 */
export interface StreamDefinition {
  readonly name: string;
  /** Subject prefix (domain) whose events the stream stores. */
  readonly domain: string;
  readonly description: string;
}

/** Messages a consumer gave up on after its last delivery, with the error. */
export const DEADLETTER_STREAM: StreamDefinition = {
  name: 'DEADLETTER',
  domain: 'deadletter',
  description: 'Messages that failed every delivery attempt',
};
