export { startStack, REPO_ROOT, DEFAULT_STATE_DIR, type StackHandle, type StackOptions, type RunningService } from './stack';
export { SERVICES, discoverServices, type ServiceDefinition, type ServiceManifest, type PortAssignment } from './services';
export { natsAnswers, NATS_HELP, StackError } from './infrastructure';
export { formatLogLine } from './log-format';
export { DevIssuer, DEV_AUDIENCE, DEV_ISSUER, type TokenRequest } from './dev-auth';
