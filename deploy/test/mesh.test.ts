import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICES, type PortAssignment } from '@storefront/devstack';
import { checkPolicies, COMBINATIONS, configuredCalls, MESH_RULES, renderCombination, type Manifest } from '../src';

const REPO = join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are edited freely
type Mutable = Record<string, any>;

/** A small meshed namespace that keeps every mesh rule: `front` (the entry) calls `stock`, a Rollout. */
function goodMesh(): Manifest[] {
  const meta = (name: string, namespace = 'shop', component = 'service') => ({
    name,
    namespace,
    labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/component': component },
  });
  const template = (name: string) => ({
    metadata: {
      labels: {
        'app.kubernetes.io/name': name,
        'app.kubernetes.io/component': 'service',
        // What front calls, as the real bases label the services the gateway calls (storefront.dev/called-by).
        ...(name === 'stock' ? { 'shop.dev/called-by': 'front-http' } : {}),
      },
    },
    spec: {
      serviceAccountName: name,
      containers: [
        { name: 'app', image: `shop/${name}:1.0.0`, ports: [{ name: 'http', containerPort: 8080 }], envFrom: [{ configMapRef: { name } }] },
      ],
    },
  });
  const route = (name: string, host: string, extra: Mutable = {}) => ({
    name,
    ...extra,
    route: [
      { destination: { host, subset: 'stable' }, weight: 100 },
      { destination: { host, subset: 'canary' }, weight: 0 },
    ],
  });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('front'),
      data: { STOCK_URL: 'http://stock:8080', NATS_URL: 'nats://nats:4222' },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('stock'), data: {} },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('front'),
      spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'front' } }, template: template('front') },
    },
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: meta('stock'),
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': 'stock' } },
        template: template('stock'),
        strategy: {
          canary: {
            trafficRouting: {
              managedRoutes: [{ name: 'canary-header' }],
              istio: {
                virtualService: { name: 'stock', routes: ['idempotent', 'once'] },
                destinationRule: { name: 'stock', canarySubsetName: 'canary', stableSubsetName: 'stable' },
              },
            },
            analysis: { templates: [{ templateName: 'health' }], args: [{ name: 'service', value: 'stock' }] },
            steps: [
              { setHeaderRoute: { name: 'canary-header', match: [{ headerName: 'x-canary', headerValue: { exact: 'always' } }] } },
              { setWeight: 10 },
            ],
          },
        },
      },
    },
    ...['front', 'stock'].map((name) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name),
      spec: { selector: { 'app.kubernetes.io/name': name }, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] },
    })),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('prometheus', 'obs'),
      spec: { selector: { 'app.kubernetes.io/name': 'prometheus' }, ports: [{ name: 'http', port: 9090 }] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('sidecars'),
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } } }],
            ports: [{ protocol: 'TCP', port: 15012 }],
          },
        ],
      },
    },
    { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: meta('allow-nothing'), spec: {} },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: meta('front-http'),
      spec: {
        selector: { matchLabels: { 'shop.dev/called-by': 'front-http' } },
        action: 'ALLOW',
        rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/front'] } }], to: [{ operation: { ports: ['8080'] } }] }],
      },
    },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: meta('front'),
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': 'front' } },
        rules: [
          {
            from: [{ source: { principals: ['cluster.local/ns/istio-ingress/sa/istio-ingress'] } }],
            to: [{ operation: { ports: ['8080'] } }],
          },
        ],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: meta('stock'),
      spec: {
        host: 'stock',
        subsets: [
          { name: 'stable', labels: { 'app.kubernetes.io/name': 'stock' } },
          { name: 'canary', labels: { 'app.kubernetes.io/name': 'stock' } },
        ],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: meta('stock'),
      spec: {
        hosts: ['stock'],
        http: [
          route('idempotent', 'stock', {
            match: [{ method: { exact: 'GET' } }, { uri: { exact: '/shop.v1.Stock/GetLevel' } }],
            retries: { attempts: 2 },
          }),
          route('once', 'stock', { retries: { attempts: 0 } }),
        ],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: meta('ingress', 'shop', 'edge'),
      spec: { selector: { istio: 'ingress' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: meta('front'),
      spec: { hosts: ['*'], gateways: ['ingress'], http: [{ route: [{ destination: { host: 'front' } }] }] },
    },
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: meta('health'),
      spec: {
        metrics: [
          {
            name: 'success-rate',
            successCondition: 'result[0] >= 0.99',
            provider: { prometheus: { address: 'http://prometheus.obs:9090', query: 'up' } },
          },
        ],
      },
    },
  ];
}

const find = (objects: Manifest[], kind: string, name: string) =>
  objects.find((object) => object.kind === kind && object.metadata.name === name) as Mutable;

/** Each broken fixture breaks one mesh rule; the rule must fire, and nothing else. */
const BROKEN: [rule: string, breakIt: (objects: Manifest[]) => Manifest[]][] = [
  ['virtual-service-weights', (objects) => ((find(objects, 'VirtualService', 'stock').spec.http[0].route[1].weight = 10), objects)],
  [
    'destination-rule-subsets',
    (objects) => (
      (find(objects, 'DestinationRule', 'stock').spec.subsets[1].labels = { 'app.kubernetes.io/name': 'stock', version: 'v2' }),
      objects
    ),
  ],
  ['rollout-references', (objects) => objects.filter((object) => object.kind !== 'AnalysisTemplate')],
  [
    'retries-idempotent-only',
    (objects) => (
      (find(objects, 'VirtualService', 'stock').spec.http[0].match = [{ method: { exact: 'GET' } }, { method: { exact: 'POST' } }]),
      objects
    ),
  ],
  ['mesh-network-policy', (objects) => objects.filter((object) => object.metadata.name !== 'sidecars')],
  [
    'authorization',
    (objects) => ((find(objects, 'AuthorizationPolicy', 'front-http').spec.rules[0].to[0].operation.ports = ['9090']), objects),
  ],
];

describe('mesh rules', () => {
  const violations = (objects: Manifest[]) => checkPolicies(objects, 'development', MESH_RULES).violations;

  it('find nothing wrong with the good mesh', () => {
    expect(violations(goodMesh())).toEqual([]);
  });

  it('have a broken fixture for every rule', () => {
    expect(BROKEN.map(([rule]) => rule).sort()).toEqual(MESH_RULES.map((rule) => rule.id).sort());
  });

  it.each(BROKEN)('%s fires on its broken fixture, and only it', (rule, breakIt) => {
    expect([...new Set(violations(breakIt(goodMesh())).map((violation) => violation.rule))]).toEqual([rule]);
  });

  it('authorization fires both ways: a call without a policy, and a policy without a call', () => {
    const messages = violations(BROKEN.find(([rule]) => rule === 'authorization')?.[1](goodMesh()) ?? []).map(
      (violation) => violation.message,
    );
    expect(messages).toEqual([
      'front calls it on 8080 (STOCK_URL=http://stock:8080) but no AuthorizationPolicy allows cluster.local/ns/shop/sa/front',
      'allows cluster.local/ns/shop/sa/front on 9090 to stock, but no workload is configured to make that call',
    ]);
  });

  it('authorization follows the label an ALLOW selects: a callee without it, a non-callee with it', () => {
    const unlabelled = goodMesh();
    delete find(unlabelled, 'Rollout', 'stock').spec.template.metadata.labels['shop.dev/called-by'];
    expect(violations(unlabelled).map((violation) => violation.message)).toEqual([
      'front calls it on 8080 (STOCK_URL=http://stock:8080) but no AuthorizationPolicy allows cluster.local/ns/shop/sa/front',
    ]);
    const overLabelled = goodMesh();
    find(overLabelled, 'Deployment', 'front').spec.template.metadata.labels['shop.dev/called-by'] = 'front-http';
    expect(violations(overLabelled).map((violation) => violation.message)).toEqual([
      'allows cluster.local/ns/shop/sa/front on 8080 to front, but no workload is configured to make that call',
    ]);
  });

  it('a Rollout must not list its header route in the VirtualService, nor a subset the rule lacks', () => {
    const objects = goodMesh();
    const routes = find(objects, 'VirtualService', 'stock').spec as { http: unknown[] };
    routes.http = [{ name: 'canary-header', route: [{ destination: { host: 'stock', subset: 'canary' } }] }, ...routes.http];
    const rule = find(objects, 'DestinationRule', 'stock').spec as { subsets: unknown[] };
    rule.subsets = rule.subsets.slice(0, 1);
    expect(violations(objects).map((violation) => violation.message)).toEqual([
      'managed route "canary-header" must not be written in the VirtualService',
      'DestinationRule "stock" has no subset "canary"',
    ]);
  });
});

/**
 * The calls each process is configured to make, from the local stack's definition
 * (libs/devstack/src/services.ts: which variable points at which service's port) and each process's
 * config.ts (which *_URL / *_GRPC_URL variables it reads).
 */
function callsOfTheProcesses(): string[] {
  const ports: Record<string, PortAssignment> = Object.fromEntries(
    SERVICES.map((service, index) => [service.name, { http: 10_000 + index, grpc: 20_000 + index }]),
  );
  const byPort = new Map(
    SERVICES.flatMap((service) => [
      [`${ports[service.name]?.http}`, service.name],
      [`${ports[service.name]?.grpc}`, service.name],
    ]),
  );
  return SERVICES.flatMap((service) => {
    const set = Object.entries(service.env?.(ports) ?? {}).filter(([variable]) => /_URL$/.test(variable));
    const config = readFileSync(join(REPO, service.dir, 'src', 'config.ts'), 'utf8');
    const read = new Set([...config.matchAll(/\b([A-Z][A-Z0-9]*(?:_GRPC)?_URL)\b/g)].map((match) => match[1] as string));
    for (const [variable] of set)
      expect({ process: service.name, variable, readByConfig: read.has(variable) }).toEqual({
        process: service.name,
        variable,
        readByConfig: true,
      });
    return set.map(([variable, value]) => `${service.name} -> ${byPort.get(/:(\d+)$/.exec(value)?.[1] ?? '')} (${variable})`);
  }).sort();
}

describe('the mesh call graph', () => {
  it.each(COMBINATIONS.filter((combination) => combination.overlay.includes('gitops/manifests')))(
    '$name: the calls the manifests configure are the calls the processes make, plus the ingress',
    async (combination) => {
      const calls = configuredCalls(await renderCombination(combination));
      const configured = calls
        .filter((call) => call.caller !== 'ingress')
        .map((call) => `${call.caller} -> ${call.callee} (${call.via.split('=')[0]})`);
      expect(configured.sort()).toEqual(callsOfTheProcesses());
      expect(calls.filter((call) => call.caller === 'ingress').map((call) => `${call.callee}:${call.port}`)).toEqual(['gateway:8080']);
    },
  );
});
