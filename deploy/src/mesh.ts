import type { Manifest } from './manifest';
import { selects, workloadsOf, type Rule, type Workload } from './policies';

/**
 * Rules for the service mesh and the canaries (components/istio): they hold for any combination
 * and say nothing where there is no mesh object. `checkPolicies` runs them with the workload rules.
 */

type Labels = Record<string, string>;
type AnyObject = Record<string, unknown>;
const spec = (object: Manifest) => (object.spec ?? {}) as AnyObject;
const namespaceOf = (object: Manifest) => object.metadata.namespace ?? 'default';
const inNamespace = (objects: readonly Manifest[], kind: string, namespace: string) =>
  objects.filter((object) => object.kind === kind && namespaceOf(object) === namespace);

/** The ingress gateway's identity: the `gateway` Helm chart, release istio-ingress in istio-ingress (gitops/platform). */
export const INGRESS_PRINCIPAL = 'cluster.local/ns/istio-ingress/sa/istio-ingress';

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
}

/** The workloads whose pods a Service (by name, in a namespace) selects, with the container port a Service port leads to. */
function serviceTarget(objects: readonly Manifest[], workloads: readonly Workload[], namespace: string, host: string, port?: number) {
  const name = host.split('.')[0] as string;
  const service = inNamespace(objects, 'Service', namespace).find((object) => object.metadata.name === name);
  if (!service) return undefined;
  const selector = spec(service).selector as Labels | undefined;
  const ports = (spec(service).ports as ServicePort[] | undefined) ?? [];
  const servicePort = port === undefined ? (ports.length === 1 ? ports[0] : undefined) : ports.find((candidate) => candidate.port === port);
  const targets = workloads.filter(
    (workload) =>
      namespaceOf(workload.object) === namespace &&
      selector &&
      Object.keys(selector).length > 0 &&
      selects({ matchLabels: selector }, workload.podLabels),
  );
  return { service, targets, containerPort: servicePort ? containerPort(targets[0], servicePort) : undefined };
}

function containerPort(workload: Workload | undefined, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  for (const container of (workload?.pod?.containers ?? []) as { ports?: { name?: string; containerPort: number }[] }[]) {
    const found = container.ports?.find((candidate) => candidate.name === target);
    if (found) return found.containerPort;
  }
  return undefined;
}

const injected = (objects: readonly Manifest[], namespace: string) =>
  objects.some(
    (object) =>
      object.kind === 'Namespace' && object.metadata.name === namespace && object.metadata.labels?.['istio-injection'] === 'enabled',
  );

/** A workload with a sidecar: its namespace injects and its pods do not opt out. */
export function inMesh(objects: readonly Manifest[], workload: Workload): boolean {
  return (
    !!workload.pod &&
    workload.longRunning &&
    injected(objects, namespaceOf(workload.object)) &&
    workload.podLabels['sidecar.istio.io/inject'] !== 'false'
  );
}

/** One call a workload is configured to make: caller → callee's pods on a container port. */
export interface Call {
  readonly caller: string;
  /** The caller's mTLS identity. */
  readonly principal: string;
  readonly callee: string;
  readonly port: number;
  /** Where the call is configured: `VARIABLE=value` of the caller's ConfigMap, or the ingress route. */
  readonly via: string;
}

/** `<NAME>_URL` or `<NAME>_GRPC_URL`: an address of another workload (DATABASE_URL comes from a Secret). */
const DOWNSTREAM_VARIABLE = /^[A-Z][A-Z0-9]*(_GRPC)?_URL$/;

function hostAndPort(value: string): { host: string; port?: number } | undefined {
  const url = /^[a-z][a-z0-9+.-]*:\/\//.test(value) ? value : `grpc://${value}`;
  try {
    const parsed = new URL(url);
    return { host: parsed.hostname, ...(parsed.port ? { port: Number(parsed.port) } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * The calls between meshed workloads, as the manifests configure them: each `*_URL` variable of a
 * workload's ConfigMaps whose host is a Service of the namespace selecting meshed pods, plus each
 * route from an ingress Gateway (its VirtualService bound to a Gateway) to a workload.
 */
export function configuredCalls(objects: readonly Manifest[]): Call[] {
  const workloads = workloadsOf(objects);
  const calls: Call[] = [];
  for (const workload of workloads.filter((candidate) => inMesh(objects, candidate))) {
    const namespace = namespaceOf(workload.object);
    const account = workload.pod?.serviceAccountName ?? 'default';
    const configMaps = (workload.pod?.containers ?? [])
      .flatMap((container) => container.envFrom ?? [])
      .map((source) => source.configMapRef?.name);
    for (const configMap of inNamespace(objects, 'ConfigMap', namespace).filter((object) => configMaps.includes(object.metadata.name))) {
      for (const [variable, value] of Object.entries((configMap.data as Labels | undefined) ?? {})) {
        if (!DOWNSTREAM_VARIABLE.test(variable) || !value) continue;
        const address = hostAndPort(value);
        if (!address || (address.host.includes('.') && !address.host.endsWith(`.${namespace}`) && !address.host.includes(`.${namespace}.`)))
          continue;
        const target = serviceTarget(
          objects,
          workloads,
          namespace,
          address.host,
          address.port ?? (value.startsWith('https:') ? 443 : value.startsWith('http:') ? 80 : undefined),
        );
        for (const callee of (target?.targets ?? []).filter((candidate) => inMesh(objects, candidate))) {
          if (target?.containerPort === undefined) continue;
          calls.push({
            caller: workload.object.metadata.name,
            principal: `cluster.local/ns/${namespace}/sa/${account}`,
            callee: callee.object.metadata.name,
            port: target.containerPort,
            via: `${variable}=${value}`,
          });
        }
      }
    }
  }
  for (const service of objects.filter(
    (object) => object.kind === 'VirtualService' && ((spec(object).gateways as string[] | undefined) ?? []).some((name) => name !== 'mesh'),
  )) {
    for (const route of (spec(service).http as HttpRoute[] | undefined) ?? []) {
      for (const { destination } of route.route ?? []) {
        const target = serviceTarget(objects, workloads, namespaceOf(service), destination.host, destination.port?.number);
        for (const callee of target?.targets ?? []) {
          if (target?.containerPort === undefined) continue;
          calls.push({
            caller: 'ingress',
            principal: INGRESS_PRINCIPAL,
            callee: callee.object.metadata.name,
            port: target.containerPort,
            via: `VirtualService/${service.metadata.name}`,
          });
        }
      }
    }
  }
  const seen = new Set<string>();
  return calls.filter((call) => {
    const key = `${call.principal}>${call.callee}:${call.port}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

interface HttpRoute {
  name?: string;
  match?: { method?: { exact?: string }; uri?: { exact?: string; prefix?: string }; headers?: unknown }[];
  retries?: { attempts?: number };
  route?: { destination: { host: string; subset?: string; port?: { number?: number } }; weight?: number }[];
}

interface AuthorizationRule {
  from?: { source?: { principals?: string[] } }[];
  to?: { operation?: { ports?: string[] } }[];
}

/** HTTP methods the gateway retries (gateway/src/downstream/rest-downstream.ts) and their safe kin. */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT']);
/** gRPC methods by this repository's naming: reads are Get*, List*. */
const READ_RPC = /^\/[\w.]+\/(Get|List)\w*$/;

export const MESH_RULES: readonly Rule[] = [
  {
    id: 'virtual-service-weights',
    description: 'the destinations of every VirtualService route with weights add up to 100',
    check: (context) =>
      context.objects
        .filter((object) => object.kind === 'VirtualService')
        .flatMap((object) =>
          ((spec(object).http as HttpRoute[] | undefined) ?? []).flatMap((route, index) => {
            const destinations = route.route ?? [];
            if (destinations.length < 2 && destinations.every((destination) => destination.weight === undefined)) return [];
            const total = destinations.reduce((sum, destination) => sum + (destination.weight ?? 0), 0);
            return total === 100 ? [] : [{ object, message: `route "${route.name ?? index}" sends ${total} % of requests, not 100 %` }];
          }),
        ),
  },
  {
    id: 'destination-rule-subsets',
    description: 'every DestinationRule names a Service of its namespace, and each subset selects pods that exist',
    check: (context) =>
      context.objects
        .filter((object) => object.kind === 'DestinationRule')
        .flatMap((object) => {
          const host = spec(object).host as string;
          const target = serviceTarget(context.objects, context.workloads, namespaceOf(object), host);
          if (!target) return [{ object, message: `host "${host}" is no Service of namespace ${namespaceOf(object)}` }];
          return ((spec(object).subsets as { name: string; labels?: Labels }[] | undefined) ?? []).flatMap((subset) =>
            target.targets.some((workload) => selects({ matchLabels: subset.labels ?? {} }, workload.podLabels))
              ? []
              : [
                  {
                    object,
                    message: `subset "${subset.name}" (${JSON.stringify(subset.labels ?? {})}) selects none of the pods of Service ${host}`,
                  },
                ],
          );
        }),
  },
  {
    id: 'rollout-references',
    description:
      "a Rollout's analysis templates, VirtualService routes and DestinationRule subsets exist, and each template's Prometheus is a rendered Service",
    check: (context) =>
      context.objects
        .filter((object) => object.kind === 'Rollout')
        .flatMap((rollout) => {
          const namespace = namespaceOf(rollout);
          const canary = ((spec(rollout).strategy as AnyObject | undefined)?.canary ?? {}) as {
            analysis?: { templates?: { templateName: string; clusterScope?: boolean }[] };
            steps?: { analysis?: { templates?: { templateName: string; clusterScope?: boolean }[] }; setHeaderRoute?: { name: string } }[];
            trafficRouting?: {
              managedRoutes?: { name: string }[];
              istio?: {
                virtualService?: { name: string; routes?: string[] };
                destinationRule?: { name: string; canarySubsetName: string; stableSubsetName: string };
              };
            };
          };
          const problems: string[] = [];
          const templates = [
            ...(canary.analysis?.templates ?? []),
            ...(canary.steps ?? []).flatMap((step) => step.analysis?.templates ?? []),
          ];
          for (const reference of templates) {
            const template = reference.clusterScope
              ? context.objects.find(
                  (object) => object.kind === 'ClusterAnalysisTemplate' && object.metadata.name === reference.templateName,
                )
              : inNamespace(context.objects, 'AnalysisTemplate', namespace).find(
                  (object) => object.metadata.name === reference.templateName,
                );
            if (!template) {
              problems.push(`analysis template "${reference.templateName}" is not rendered`);
              continue;
            }
            for (const metric of (spec(template).metrics as
              { name: string; provider?: { prometheus?: { address?: string } } }[] | undefined) ?? []) {
              const address = metric.provider?.prometheus?.address;
              if (!address) continue;
              const { hostname, port } = new URL(address);
              const [name, serviceNamespace = namespaceOf(template)] = hostname.split('.');
              const service = inNamespace(context.objects, 'Service', serviceNamespace).find((object) => object.metadata.name === name);
              const ports = ((service && (spec(service).ports as ServicePort[])) ?? []).map((candidate) => candidate.port);
              if (!service || !ports.includes(Number(port || 80)))
                problems.push(`metric "${metric.name}" reads Prometheus at ${address}, which is no rendered Service port`);
            }
          }
          const istio = canary.trafficRouting?.istio;
          if (istio?.virtualService) {
            const service = inNamespace(context.objects, 'VirtualService', namespace).find(
              (object) => object.metadata.name === istio.virtualService?.name,
            );
            const names = ((service && (spec(service).http as HttpRoute[])) ?? []).map((route) => route.name);
            if (!service) problems.push(`VirtualService "${istio.virtualService.name}" is not rendered`);
            else
              for (const route of istio.virtualService.routes ?? [])
                if (!names.includes(route)) problems.push(`VirtualService "${istio.virtualService.name}" has no route "${route}"`);
            for (const managed of canary.trafficRouting?.managedRoutes ?? [])
              if (names.includes(managed.name)) problems.push(`managed route "${managed.name}" must not be written in the VirtualService`);
          }
          if (istio?.destinationRule) {
            const rule = inNamespace(context.objects, 'DestinationRule', namespace).find(
              (object) => object.metadata.name === istio.destinationRule?.name,
            );
            const subsets = ((rule && (spec(rule).subsets as { name: string }[])) ?? []).map((subset) => subset.name);
            if (!rule) problems.push(`DestinationRule "${istio.destinationRule.name}" is not rendered`);
            else
              for (const subset of [istio.destinationRule.canarySubsetName, istio.destinationRule.stableSubsetName])
                if (!subsets.includes(subset)) problems.push(`DestinationRule "${istio.destinationRule.name}" has no subset "${subset}"`);
          }
          const managed = new Set((canary.trafficRouting?.managedRoutes ?? []).map((route) => route.name));
          for (const step of canary.steps ?? [])
            if (step.setHeaderRoute && !managed.has(step.setHeaderRoute.name))
              problems.push(`setHeaderRoute "${step.setHeaderRoute.name}" is not a managed route`);
          return problems.map((message) => ({ object: rollout, message }));
        }),
  },
  {
    id: 'retries-idempotent-only',
    description: 'a VirtualService route retries only requests the gateway itself retries: GET, HEAD, PUT, and Get*/List* RPCs',
    check: (context) =>
      context.objects
        .filter((object) => object.kind === 'VirtualService')
        .flatMap((object) =>
          ((spec(object).http as HttpRoute[] | undefined) ?? []).flatMap((route, index) => {
            if ((route.retries?.attempts ?? 0) === 0) return [];
            const matches = route.match ?? [];
            const safe =
              matches.length > 0 &&
              matches.every(
                (match) =>
                  (match.method?.exact && IDEMPOTENT_METHODS.has(match.method.exact)) ||
                  (match.uri?.exact !== undefined && READ_RPC.test(match.uri.exact)),
              );
            return safe
              ? []
              : [
                  {
                    object,
                    message: `route "${route.name ?? index}" retries ${route.retries?.attempts} time(s) but may carry a POST or a write RPC`,
                  },
                ];
          }),
        ),
  },
  {
    id: 'mesh-network-policy',
    description: 'in a namespace with sidecar injection, NetworkPolicies let every sidecar reach istiod (15012)',
    check: (context) =>
      context.workloads
        .filter((workload) => inMesh(context.objects, workload))
        .flatMap((workload) => {
          const reaches = inNamespace(context.objects, 'NetworkPolicy', namespaceOf(workload.object)).some((policy) => {
            const policySpec = spec(policy) as {
              podSelector?: { matchLabels?: Labels; matchExpressions?: never[] };
              egress?: { to?: { namespaceSelector?: { matchLabels?: Labels } }[]; ports?: { port?: number | string }[] }[];
            };
            if (!selects(policySpec.podSelector ?? {}, workload.podLabels)) return false;
            return (policySpec.egress ?? []).some(
              (rule) =>
                (rule.to ?? []).some((peer) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'istio-system') &&
                (rule.ports ?? []).some((port) => port.port === 15012),
            );
          });
          return reaches
            ? []
            : [
                {
                  object: workload.object,
                  message: 'its sidecar cannot reach istiod: no NetworkPolicy allows egress to istio-system on 15012',
                },
              ];
        }),
  },
  {
    id: 'authorization',
    description:
      'a meshed namespace denies by default; every configured call has an ALLOW for its caller and port, and every ALLOW is such a call',
    check: (context) => {
      const meshed = context.workloads.filter((workload) => inMesh(context.objects, workload));
      if (meshed.length === 0) return [];
      const problems: { object: Manifest; message: string }[] = [];
      const policies = context.objects.filter((object) => object.kind === 'AuthorizationPolicy');
      for (const namespace of new Set(meshed.map((workload) => namespaceOf(workload.object)))) {
        const denies = inNamespace(policies, 'AuthorizationPolicy', namespace).some((policy) => Object.keys(spec(policy)).length === 0);
        const namespaceObject = context.objects.find((object) => object.kind === 'Namespace' && object.metadata.name === namespace);
        if (!denies && namespaceObject)
          problems.push({ object: namespaceObject, message: 'no allow-nothing AuthorizationPolicy (an empty spec) in the namespace' });
      }
      const allowed = policies
        .filter((policy) => ((spec(policy).action as string | undefined) ?? 'ALLOW') === 'ALLOW' && Object.keys(spec(policy)).length > 0)
        .flatMap((policy) => {
          const selector = (spec(policy).selector as { matchLabels?: Labels } | undefined)?.matchLabels;
          const targets = meshed.filter(
            (workload) =>
              namespaceOf(workload.object) === namespaceOf(policy) && (!selector || selects({ matchLabels: selector }, workload.podLabels)),
          );
          return ((spec(policy).rules as AuthorizationRule[] | undefined) ?? [{}]).flatMap((rule) => {
            const principals = (rule.from ?? []).flatMap((from) => from.source?.principals ?? []);
            const ports = (rule.to ?? []).flatMap((to) => to.operation?.ports ?? []).map(Number);
            return targets.flatMap((target) =>
              (principals.length ? principals : ['*']).flatMap((principal) =>
                (ports.length ? ports : [0]).map((port) => ({ policy, principal, callee: target.object.metadata.name, port })),
              ),
            );
          });
        });
      const calls = configuredCalls(context.objects);
      for (const call of calls) {
        const callee = meshed.find((workload) => workload.object.metadata.name === call.callee) as Workload;
        if (!allowed.some((allow) => allow.callee === call.callee && allow.principal === call.principal && allow.port === call.port)) {
          problems.push({
            object: callee.object,
            message: `${call.caller} calls it on ${call.port} (${call.via}) but no AuthorizationPolicy allows ${call.principal}`,
          });
        }
      }
      for (const allow of allowed) {
        if (!calls.some((call) => call.callee === allow.callee && call.principal === allow.principal && call.port === allow.port)) {
          const what = `${allow.principal === '*' ? 'any caller' : allow.principal} on ${allow.port === 0 ? 'any port' : allow.port}`;
          problems.push({
            object: allow.policy,
            message: `allows ${what} to ${allow.callee}, but no workload is configured to make that call`,
          });
        }
      }
      return problems;
    },
  },
];
