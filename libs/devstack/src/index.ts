export { startStack, REPO_ROOT, type StackHandle, type StackOptions, type RunningService } from './stack';
export { SERVICES, type ServiceDefinition, type PortAssignment } from './services';
export { freePort, natsAnswers, NATS_HELP, StackError } from './infrastructure';
export { formatLogLine } from './log-format';
export { startTestStack, type TestStack } from './test-stack';
export {
  startServiceUnderTest,
  grpcTestClient,
  type GrpcTestClient,
  type ServiceUnderTest,
  type ServiceUnderTestOptions,
  type StreamMessage,
} from './service-under-test';
