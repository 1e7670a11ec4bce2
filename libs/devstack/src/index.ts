export { startStack, REPO_ROOT, type StackHandle, type StackOptions, type RunningService } from './stack';
export { SERVICES, type ServiceDefinition, type PortAssignment } from './services';
export { freePort, natsAnswers, NATS_HELP, StackError } from './infrastructure';
export { formatLogLine } from './log-format';
export { TEST_ADMIN, startTestStack, type TestStack } from './test-stack';
export {
  startServiceUnderTest,
  testIssuer,
  grpcTestClient,
  type GrpcTestClient,
  type ServiceUnderTest,
  type ServiceUnderTestOptions,
  type StreamMessage,
} from './service-under-test';
export { DevIssuer, DEV_AUDIENCE, DEV_ISSUER, type TokenRequest } from './dev-auth';
