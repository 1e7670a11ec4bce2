export { startStack, REPO_ROOT, DEFAULT_STATE_DIR, type StackHandle, type StackOptions, type RunningService } from './stack';
export { SERVICES, discoverServices, type ServiceDefinition, type ServiceManifest, type PortAssignment } from './services';
export { natsAnswers, NATS_HELP, StackError } from './infrastructure';
export { formatLogLine } from './log-format';
export { TEST_ADMIN, startTestStack, type TestStack } from './test-stack';
export {
  startServiceUnderTest,
  testIssuer,
  grpcTestClient,
  type GrpcTestClient,
  type ServiceRequest,
  type ServiceUnderTest,
  type ServiceUnderTestOptions,
  type StreamMessage,
} from './service-under-test';
export { DevIssuer, DEV_AUDIENCE, DEV_ISSUER, type TokenRequest } from './dev-auth';
export { startTraceCollector, fetchTrace, type TraceCollector, type TraceCollectorOptions } from './traces/trace-collector';
export { TraceStore, spansFromOtlp, summarize, type CollectedSpan, type TraceSummary } from './traces/trace-store';
export { renderWaterfall, waterfallRows, describeSpan, type WaterfallRow } from './traces/waterfall';
