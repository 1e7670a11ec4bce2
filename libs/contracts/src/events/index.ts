export * from './streams';
export * from './event-definition';
export * from './envelope';
export * from './shared';
export * from './registry';
export { buildAsyncApiDocument, buildAsyncApiDocuments } from './asyncapi';
export { findBreakingChanges, type JsonSchema } from './compatibility';
export { envelopeJsonSchema } from './json-schema';
export { messageName } from './asyncapi';
