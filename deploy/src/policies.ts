import { CHAOS_RULES } from './chaos-policies';
import { describe, type Manifest } from './manifest';

/** `development` (kind) or `production`; some rules only hold for production. */
export type PolicyProfile = 'development' | 'production';

export interface Violation {
  readonly rule: string;
  readonly object: string;
  readonly message: string;
}

/**
 * An object opts out of named rules with `policy.storefront.dev/exempt: rule-a,rule-b` and must say
 * why in `policy.storefront.dev/reason`; the exemption is reported, never silent.
 */
export const EXEMPT_ANNOTATION = 'policy.storefront.dev/exempt';
export const REASON_ANNOTATION = 'policy.storefront.dev/reason';

interface Container {
  name: string;
  image?: string;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    privileged?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    seccompProfile?: { type?: string };
  };
  startupProbe?: unknown;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  lifecycle?: { preStop?: { sleep?: { seconds?: number } } };
  envFrom?: { configMapRef?: { name?: string } }[];
}

interface PodSpec {
  serviceAccountName?: string;
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type?: string } };
  containers?: Container[];
  initContainers?: Container[];
}

type Labels = Record<string, string>;

/** Something that runs pods: the pods' labels and, when we write it, their spec. */
export interface Workload {
  readonly object: Manifest;
  readonly podLabels: Labels;
  /** Undefined when an operator makes the pods (CloudNativePG). */
  readonly pod?: PodSpec;
  /** Serves until stopped (needs probes and a PDB), as opposed to a Job that runs to completion. */
  readonly longRunning: boolean;
  /** The operator makes the pods' ServiceAccount and PDB. */
  readonly operatorManaged: boolean;
}

type Template = { metadata?: { labels?: Labels }; spec?: PodSpec };
const spec = (object: Manifest) => (object.spec ?? {}) as Record<string, unknown>;

/** How each kind that runs pods exposes them. */
export const WORKLOAD_KINDS: Readonly<Record<string, (object: Manifest) => Omit<Workload, 'object'>>> = {
  'apps/v1/Deployment': (object) => fromTemplate(spec(object).template as Template, true),
  'argoproj.io/v1alpha1/Rollout': (object) => fromTemplate(spec(object).template as Template, true),
  'apps/v1/StatefulSet': (object) => fromTemplate(spec(object).template as Template, true),
  'apps/v1/DaemonSet': (object) => fromTemplate(spec(object).template as Template, true),
  'batch/v1/Job': (object) => fromTemplate(spec(object).template as Template, false),
  'postgresql.cnpg.io/v1/Cluster': (object) => ({
    podLabels: { 'cnpg.io/cluster': object.metadata.name },
    longRunning: true,
    operatorManaged: true,
  }),
};

function fromTemplate(template: Template | undefined, longRunning: boolean): Omit<Workload, 'object'> {
  return { podLabels: template?.metadata?.labels ?? {}, pod: template?.spec ?? {}, longRunning, operatorManaged: false };
}

export function workloadsOf(objects: readonly Manifest[]): Workload[] {
  return objects.flatMap((object) => {
    const describeWorkload = WORKLOAD_KINDS[`${object.apiVersion}/${object.kind}`];
    return describeWorkload ? [{ object, ...describeWorkload(object) }] : [];
  });
}

interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function selects(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const value = labels[key];
    if (operator === 'In') return value !== undefined && values.includes(value);
    if (operator === 'NotIn') return value === undefined || !values.includes(value);
    if (operator === 'Exists') return value !== undefined;
    if (operator === 'DoesNotExist') return value === undefined;
    return false;
  });
  return byLabels && byExpressions;
}

const isEmptySelector = (selector: LabelSelector | undefined) =>
  !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);

const containersOf = (pod: PodSpec | undefined) => [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])];

interface Context {
  readonly objects: readonly Manifest[];
  readonly workloads: readonly Workload[];
  readonly profile: PolicyProfile;
}

export interface Rule {
  readonly id: string;
  readonly description: string;
  /** Profiles the rule applies to; all when absent. */
  readonly profiles?: readonly PolicyProfile[];
  /** Messages about one object; the object's exemptions apply to them. */
  readonly check: (context: Context) => { object: Manifest; message: string }[];
}

const perContainer = (
  context: Context,
  filter: (workload: Workload) => boolean,
  test: (container: Container, pod: PodSpec, workload: Workload) => string | undefined,
) =>
  context.workloads
    .filter((workload) => workload.pod && filter(workload))
    .flatMap((workload) =>
      containersOf(workload.pod).flatMap((container) => {
        const problem = test(container, workload.pod as PodSpec, workload);
        return problem ? [{ object: workload.object, message: `container "${container.name}": ${problem}` }] : [];
      }),
    );

const all = () => true;
const owns = (namespace: string | undefined, object: Manifest) => (object.metadata.namespace ?? 'default') === (namespace ?? 'default');
const minReplicas = (context: Context, workload: Workload): number | undefined => {
  const hpa = context.objects.find(
    (object) =>
      object.kind === 'HorizontalPodAutoscaler' &&
      owns(workload.object.metadata.namespace, object) &&
      (spec(object).scaleTargetRef as { kind?: string; name?: string } | undefined)?.name === workload.object.metadata.name,
  );
  if (hpa) return (spec(hpa).minReplicas as number | undefined) ?? 1;
  if (workload.object.kind === 'Cluster') return spec(workload.object).instances as number;
  return (spec(workload.object).replicas as number | undefined) ?? 1;
};
/** Storefront's serving path: the services, the gateway, NATS and PostgreSQL (not the observability stack). */
const servingPath = (workload: Workload) =>
  ['service', 'gateway', 'messaging', 'database'].includes(workload.object.metadata.labels?.['app.kubernetes.io/component'] ?? '');

export const RULES: readonly Rule[] = [
  {
    id: 'probes',
    description: 'every container of a long-running workload has startup, readiness and liveness probes',
    check: (context) =>
      perContainer(
        context,
        (workload) => workload.longRunning,
        (container) => {
          const missing = (['startupProbe', 'readinessProbe', 'livenessProbe'] as const).filter((probe) => !container[probe]);
          return missing.length ? `no ${missing.join(', ')}` : undefined;
        },
      ),
  },
  {
    id: 'resources',
    description: 'every container requests and limits CPU and memory',
    check: (context) =>
      perContainer(context, all, (container) => {
        const missing = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'].filter((field) => {
          const [kind, resource] = field.split('.') as ['requests' | 'limits', string];
          return container.resources?.[kind]?.[resource] === undefined;
        });
        return missing.length ? `no resources.${missing.join(', resources.')}` : undefined;
      }),
  },
  {
    id: 'run-as-non-root',
    description: 'pods run as a non-root user',
    check: (context) =>
      perContainer(context, all, (container, pod) => {
        const nonRoot = container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
        const user = container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
        return nonRoot === true && user !== 0 ? undefined : 'does not set runAsNonRoot: true (with a non-zero runAsUser)';
      }),
  },
  {
    id: 'read-only-root-filesystem',
    description: 'containers have a read-only root filesystem',
    check: (context) =>
      perContainer(context, all, (container) =>
        container.securityContext?.readOnlyRootFilesystem === true ? undefined : 'root filesystem is writable',
      ),
  },
  {
    id: 'no-privilege-escalation',
    description: 'containers set allowPrivilegeEscalation: false and are not privileged',
    check: (context) =>
      perContainer(context, all, (container) =>
        container.securityContext?.allowPrivilegeEscalation === false && !container.securityContext.privileged
          ? undefined
          : 'may escalate privileges (set allowPrivilegeEscalation: false)',
      ),
  },
  {
    id: 'drop-all-capabilities',
    description: 'containers drop ALL capabilities and add none',
    check: (context) =>
      perContainer(context, all, (container) => {
        const capabilities = container.securityContext?.capabilities;
        if (!capabilities?.drop?.includes('ALL')) return 'does not drop ALL capabilities';
        return capabilities.add?.length ? `adds capabilities ${capabilities.add.join(', ')}` : undefined;
      }),
  },
  {
    id: 'seccomp-runtime-default',
    description: 'pods use the RuntimeDefault seccomp profile',
    check: (context) =>
      perContainer(context, all, (container, pod) => {
        const type = container.securityContext?.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type;
        return type === 'RuntimeDefault' || type === 'Localhost' ? undefined : 'no RuntimeDefault seccomp profile';
      }),
  },
  {
    id: 'image-pinned',
    description: 'images name an explicit tag (not latest) or a digest',
    check: (context) =>
      perContainer(context, all, (container) => {
        const image = container.image ?? '';
        if (image.includes('@sha256:')) return undefined;
        const tag = /:([^/:]+)$/.exec(image)?.[1];
        return tag && tag !== 'latest' ? undefined : `image "${image}" is not pinned to a version or digest`;
      }),
  },
  {
    id: 'no-secret-data',
    description: 'no Secret with data is rendered from the repository',
    check: (context) =>
      context.objects
        .filter((object) => object.kind === 'Secret' && (object.data !== undefined || object.stringData !== undefined))
        .map((object) => ({ object, message: 'carries secret values; generate them at deploy time instead' })),
  },
  {
    id: 'service-account',
    description: 'every workload runs under its own ServiceAccount, rendered beside it',
    check: (context) =>
      context.workloads
        .filter((workload) => !workload.operatorManaged)
        .flatMap((workload) => {
          const name = workload.pod?.serviceAccountName;
          if (!name || name === 'default') return [{ object: workload.object, message: 'runs under the default ServiceAccount' }];
          const found = context.objects.some(
            (object) =>
              object.kind === 'ServiceAccount' && object.metadata.name === name && owns(workload.object.metadata.namespace, object),
          );
          return found ? [] : [{ object: workload.object, message: `ServiceAccount "${name}" is not rendered` }];
        }),
  },
  {
    id: 'pdb',
    description: 'every long-running workload has a PodDisruptionBudget that selects its pods',
    check: (context) =>
      context.workloads
        .filter((workload) => workload.longRunning && workload.object.kind !== 'DaemonSet')
        .flatMap((workload) => {
          if (workload.operatorManaged) {
            return spec(workload.object).enablePDB === false ? [{ object: workload.object, message: "turns the operator's PDB off" }] : [];
          }
          const found = context.objects.some(
            (object) =>
              object.kind === 'PodDisruptionBudget' &&
              owns(workload.object.metadata.namespace, object) &&
              !isEmptySelector(spec(object).selector as LabelSelector) &&
              selects(spec(object).selector as LabelSelector, workload.podLabels),
          );
          return found ? [] : [{ object: workload.object, message: 'no PodDisruptionBudget selects its pods' }];
        }),
  },
  {
    id: 'network-policy',
    description: "a default-deny policy covers every workload's namespace, and an allow policy selects its pods",
    check: (context) =>
      context.workloads.flatMap((workload) => {
        const policies = context.objects.filter(
          (object) => object.kind === 'NetworkPolicy' && owns(workload.object.metadata.namespace, object),
        );
        const problems: string[] = [];
        const denies = policies.some((policy) => {
          const policySpec = spec(policy) as { podSelector?: LabelSelector; policyTypes?: string[]; ingress?: unknown; egress?: unknown };
          return (
            isEmptySelector(policySpec.podSelector) &&
            policySpec.policyTypes?.includes('Ingress') &&
            policySpec.policyTypes.includes('Egress') &&
            !policySpec.ingress &&
            !policySpec.egress
          );
        });
        if (!denies) problems.push('its namespace has no default-deny NetworkPolicy');
        const allowed = policies.some((policy) => {
          const selector = spec(policy).podSelector as LabelSelector | undefined;
          return !isEmptySelector(selector) && selects(selector, workload.podLabels);
        });
        if (!allowed) problems.push('no NetworkPolicy selects its pods');
        return problems.map((message) => ({ object: workload.object, message }));
      }),
  },
  {
    id: 'labels',
    description: 'objects carry app.kubernetes.io/name and part-of; long-running pods also a version',
    check: (context) => [
      ...context.objects.flatMap((object) => {
        if (object.kind === 'Namespace') return [];
        const missing = ['app.kubernetes.io/name', 'app.kubernetes.io/part-of'].filter((label) => !object.metadata.labels?.[label]);
        return missing.length ? [{ object, message: `no label ${missing.join(', ')}` }] : [];
      }),
      ...context.workloads
        .filter((workload) => workload.pod)
        .flatMap((workload) => {
          const wanted = [
            'app.kubernetes.io/name',
            'app.kubernetes.io/part-of',
            ...(workload.longRunning ? ['app.kubernetes.io/version', 'version'] : []),
          ];
          const missing = wanted.filter((label) => !workload.podLabels[label]);
          return missing.length ? [{ object: workload.object, message: `pod template has no label ${missing.join(', ')}` }] : [];
        }),
    ],
  },
  {
    id: 'version-label',
    description: "a long-running pod's version labels name the version its first container runs",
    check: (context) =>
      context.workloads
        .filter((workload) => workload.longRunning && workload.pod?.containers?.length)
        .flatMap((workload) => {
          const image = workload.pod?.containers?.[0]?.image ?? '';
          const tag = image.includes('@') ? image.slice(image.indexOf('@') + 1) : (/:([^/:]+)$/.exec(image)?.[1] ?? '');
          const { version, 'app.kubernetes.io/version': appVersion } = workload.podLabels;
          if (!version || !tag) return [];
          if (version !== appVersion)
            return [
              { object: workload.object, message: `version "${version}" and app.kubernetes.io/version "${appVersion ?? ''}" differ` },
            ];
          return tag.startsWith(version)
            ? []
            : [{ object: workload.object, message: `version "${version}" does not match the image tag "${tag}"` }];
        }),
  },
  {
    id: 'grace-period',
    description: 'terminationGracePeriodSeconds covers the preStop pause plus SHUTDOWN_TIMEOUT_MS',
    check: (context) =>
      context.workloads.flatMap((workload) => {
        const pod = workload.pod;
        const shutdownMs = containersOf(pod)
          .flatMap((container) => container.envFrom ?? [])
          .map((source) =>
            context.objects.find(
              (object) =>
                object.kind === 'ConfigMap' &&
                object.metadata.name === source.configMapRef?.name &&
                owns(workload.object.metadata.namespace, object),
            ),
          )
          .map((configMap) => (configMap?.data as Record<string, string> | undefined)?.SHUTDOWN_TIMEOUT_MS)
          .find((value) => value !== undefined);
        if (shutdownMs === undefined || !pod) return [];
        const pause = Math.max(0, ...containersOf(pod).map((container) => container.lifecycle?.preStop?.sleep?.seconds ?? 0));
        const needed = Math.ceil(Number(shutdownMs) / 1000) + pause + 1;
        const grace = pod.terminationGracePeriodSeconds ?? 30;
        return grace >= needed
          ? []
          : [
              {
                object: workload.object,
                message: `terminationGracePeriodSeconds ${grace} < preStop ${pause} s + SHUTDOWN_TIMEOUT_MS ${shutdownMs} ms + 1 s`,
              },
            ];
      }),
  },
  {
    id: 'high-availability',
    description: 'production: the serving path runs at least 3 replicas (HPA minimum, StatefulSet, PostgreSQL instances)',
    profiles: ['production'],
    check: (context) =>
      context.workloads
        .filter((workload) => workload.longRunning && servingPath(workload))
        .flatMap((workload) => {
          const replicas = minReplicas(context, workload) ?? 1;
          return replicas >= 3 ? [] : [{ object: workload.object, message: `runs ${replicas} replica(s) at least, fewer than 3` }];
        }),
  },
  {
    id: 'strict-pdb',
    description: 'production: a disruption leaves at least 2 pods of each serving workload running',
    profiles: ['production'],
    check: (context) =>
      context.workloads
        .filter((workload) => workload.longRunning && servingPath(workload) && !workload.operatorManaged)
        .flatMap((workload) => {
          const replicas = minReplicas(context, workload) ?? 1;
          const budgets = context.objects.filter(
            (object) =>
              object.kind === 'PodDisruptionBudget' &&
              owns(workload.object.metadata.namespace, object) &&
              selects(spec(object).selector as LabelSelector, workload.podLabels),
          );
          if (budgets.length === 0) return []; // the pdb rule reports it
          const kept = budgets.map((budget) => {
            const { minAvailable, maxUnavailable } = spec(budget) as { minAvailable?: number | string; maxUnavailable?: number | string };
            const count = (value: number | string, round: (n: number) => number) =>
              typeof value === 'number' ? value : round((parseFloat(value) / 100) * replicas);
            if (minAvailable !== undefined) return count(minAvailable, Math.ceil);
            if (maxUnavailable !== undefined) return replicas - count(maxUnavailable, Math.ceil);
            return 0;
          });
          return Math.max(0, ...kept) >= 2
            ? []
            : [{ object: workload.object, message: `its PodDisruptionBudget lets all but ${Math.max(0, ...kept)} of ${replicas} pods go` }];
        }),
  },
  ...CHAOS_RULES,
];

export interface PolicyReport {
  readonly violations: Violation[];
  /** Exemptions in force: `rule object: reason`. */
  readonly exemptions: string[];
}

export function checkPolicies(objects: readonly Manifest[], profile: PolicyProfile, rules: readonly Rule[] = RULES): PolicyReport {
  const context: Context = { objects, workloads: workloadsOf(objects), profile };
  const violations: Violation[] = [];
  const exemptions = new Set<string>();
  for (const object of objects) {
    if (object.metadata.annotations?.[EXEMPT_ANNOTATION] && !object.metadata.annotations[REASON_ANNOTATION]?.trim()) {
      violations.push({ rule: 'exemption-reason', object: describe(object), message: `${EXEMPT_ANNOTATION} without ${REASON_ANNOTATION}` });
    }
  }
  for (const rule of rules) {
    if (rule.profiles && !rule.profiles.includes(profile)) continue;
    for (const { object, message } of rule.check(context)) {
      const annotations = object.metadata.annotations ?? {};
      const exempt = (annotations[EXEMPT_ANNOTATION] ?? '').split(',').map((id) => id.trim());
      if (exempt.includes(rule.id) && annotations[REASON_ANNOTATION]?.trim()) {
        exemptions.add(`${rule.id} ${describe(object)}: ${annotations[REASON_ANNOTATION]}`);
        continue;
      }
      violations.push({ rule: rule.id, object: describe(object), message });
    }
  }
  return { violations, exemptions: [...exemptions] };
}
