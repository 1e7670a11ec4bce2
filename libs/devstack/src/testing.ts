// `@storefront/devstack/testing`: the test harness. Tests (and tools that measure a whole stack)
// import it; `npm start` never does.
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
