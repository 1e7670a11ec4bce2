export { Namespace } from './namespace';
export { createEvent, subjectOf } from './event-factory';
export { Outbox, type SqlTransaction, type TransactionRunner } from './outbox';
export { OutboxRelay, type OutboxRelayOptions } from './outbox-relay';
export {
  EventConsumer,
  type ConsumerHealth,
  type EventConsumerOptions,
  type EventHandlerBinding,
  type EventHandlerFn,
} from './event-consumer';
export {
  DeadLetters,
  DeadLetterNotFoundError,
  type DeadLetter,
  type DeadLetterFilter,
  type ReplayResult as DeadLetterReplayResult,
} from './dead-letters';
export { REPLAY_TARGET_HEADER, deadLetterSubject, type DeadLetterRecord } from './dead-letter-record';
export { RetentionSweeper, DEFAULT_RETENTION, inboxHorizon, type RetentionSettings } from './retention';
export { connectNats, deleteStreams, ensureStreams, DEFAULT_STREAM_SETTINGS, type StreamSettings } from './jetstream';
export { HandlesEvent } from './handles-event.decorator';
export {
  MessagingModule,
  MessagingRuntime,
  type MessagingConfig,
  type MessagingOptions,
  type TransactionalClient,
} from './messaging.module';
export { messagingMetrics } from './metrics';
export { MESSAGING_MIGRATIONS, MESSAGING_TABLES_SQL } from './tables';
export { pgTransactionRunner, type PgTransaction, type PgTransactionOptions } from './pg-transaction';
export { replayHistory, type ReplayResult } from './replay';
export { reportProjectionLag } from './projection-lag';
export { rebuildProjection, ProjectionRebuildError, type ProjectionRebuildResult } from './rebuild';
export { natsConfigSchema } from './config';
export { runProjectionRebuildCli, type ProjectionRebuilder, type RebuildContext } from './rebuild-cli';
export { EventWatchModule, EventWatcher, type EventWatchHandlers, type EventWatchOptions } from './event-watch';
