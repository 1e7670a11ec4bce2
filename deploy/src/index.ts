import { MESH_RULES } from './mesh';
import { RULES } from './policies';

export { CHAOS_OPT_IN, HYPOTHESIS_ANNOTATIONS } from './chaos-policies';
export { COMBINATIONS } from './combinations';
export {
  ENVIRONMENTS,
  GITOPS_RULES,
  REPO_ROOT,
  applicationsOf,
  checkGitops,
  expandApplicationSet,
  expandTemplate,
  loadEnvironment,
  renderSource,
  type DeployedApplication,
  type GitopsEnvironment,
  type GitopsRule,
} from './gitops';
export { INGRESS_PRINCIPAL, MESH_RULES, configuredCalls, inMesh, type Call } from './mesh';
/** Every rule `npm test` holds the rendered manifests to: the workload rules and the mesh's. */
export const ALL_RULES = [...RULES, ...MESH_RULES];
export { type Manifest, describe } from './manifest';
export {
  EXEMPT_ANNOTATION,
  REASON_ANNOTATION,
  RULES,
  WORKLOAD_KINDS,
  checkPolicies,
  selects,
  workloadsOf,
  type PolicyProfile,
  type PolicyReport,
  type Rule,
  type Violation,
  type Workload,
} from './policies';
export { K8S_ROOT, RenderError, findRenderer, parseManifests, renderCombination, renderDirectory, type Combination } from './render';
export { CRD_SCHEMAS, assertStrict } from './schemas/crds';
export { validateSchemas, type SchemaError } from './schemas';
