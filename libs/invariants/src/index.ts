export { INVARIANTS, INVARIANT_IDS, isInvariantId, type InvariantId } from './invariants';
export { InvariantChecker, type CheckOptions, type Deployment, type InvariantReport, type InvariantResult } from './checker';
export { FINAL_STATUSES, type Violation } from './rules';
export { SERVICE_DATABASES, type ServiceDatabase } from './snapshot';
export { ConfigError, LOCAL_DEFAULTS, VARIABLES, deploymentFromEnv, settleSecondsFrom } from './config';
export { formatReport } from './format';
