import { assertStrict, checkPolicies, RULES, validateSchemas, type Manifest } from '../src';

/** A small, correct set of objects: one workload with everything the policies ask for. */
function goodObjects(): Manifest[] {
  const labels = { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/part-of': 'storefront', 'app.kubernetes.io/component': 'service' };
  const podLabels = { ...labels, 'app.kubernetes.io/version': '1.2.3', version: '1.2.3' };
  const meta = (name: string) => ({ name, namespace: 'shop', labels: { ...labels } });
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('shop') },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('shop-config'), data: { SHUTDOWN_TIMEOUT_MS: '10000' } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('shop'),
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': 'shop' } },
        template: {
          metadata: { labels: podLabels },
          spec: {
            serviceAccountName: 'shop',
            terminationGracePeriodSeconds: 20,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'app',
                image: 'storefront/shop:1.2.3',
                envFrom: [{ configMapRef: { name: 'shop-config' } }],
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
                startupProbe: { httpGet: { path: '/health/live', port: 8080 } },
                readinessProbe: { httpGet: { path: '/health/ready', port: 8080 } },
                livenessProbe: { httpGet: { path: '/health/live', port: 8080 } },
                lifecycle: { preStop: { sleep: { seconds: 5 } } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta('shop'),
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop' }, minReplicas: 3, maxReplicas: 6 },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta('shop'),
      spec: { maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'shop' } } },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('default-deny'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('shop'),
      spec: {
        podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['shop'] }] },
        policyTypes: ['Ingress'],
        ingress: [{}],
      },
    },
    ...chaosObjects(),
  ];
}

/** An experiment and a game day of it, in a namespace that opts in to Chaos Mesh. */
function chaosObjects(): Manifest[] {
  const labels = { 'app.kubernetes.io/name': 'kill-shop', 'app.kubernetes.io/part-of': 'storefront' };
  const annotations = {
    'chaos.storefront.dev/hypothesis': 'a new pod takes over',
    'chaos.storefront.dev/blast-radius': 'one shop pod',
    'chaos.storefront.dev/invariants': 'orders-final',
  };
  const killShop = {
    action: 'pod-kill',
    mode: 'one',
    duration: '30s',
    selector: { namespaces: ['shop'], labelSelectors: { 'app.kubernetes.io/name': 'shop' } },
  };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', annotations: { 'chaos-mesh.org/inject': 'enabled' } } },
    {
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'PodChaos',
      metadata: { name: 'kill-shop', namespace: 'shop', labels, annotations },
      spec: killShop,
    },
    {
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'game-day', namespace: 'shop', labels: { ...labels, 'app.kubernetes.io/name': 'game-day' }, annotations },
      spec: {
        entry: 'run',
        templates: [
          { name: 'run', templateType: 'Serial', children: ['fault', 'check'] },
          { name: 'fault', templateType: 'PodChaos', deadline: '30s', podChaos: { ...killShop } },
          {
            name: 'check',
            templateType: 'Task',
            deadline: '5m',
            task: { container: { name: 'check', image: 'storefront/invariants:1.2.3' } },
          },
        ],
      },
    },
  ];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are edited freely
type Mutable = Record<string, any>;
const deployment = (objects: Manifest[]) => objects.find((object) => object.kind === 'Deployment') as Mutable;
const container = (objects: Manifest[]): Mutable => deployment(objects).spec.template.spec.containers[0] as Mutable;
const byKind = (kind: string) => (object: Manifest) => object.kind !== kind;
const podChaos = (objects: Manifest[]) => objects.find((object) => object.kind === 'PodChaos') as Mutable;
const workflow = (objects: Manifest[]) => objects.find((object) => object.kind === 'Workflow') as Mutable;

/** Each broken fixture breaks one rule; the rule must fire, and nothing else. */
const BROKEN: [rule: string, breakIt: (objects: Manifest[]) => Manifest[]][] = [
  ['probes', (objects) => (delete container(objects).readinessProbe, objects)],
  ['resources', (objects) => (delete container(objects).resources.limits.memory, objects)],
  ['run-as-non-root', (objects) => ((deployment(objects).spec.template.spec.securityContext.runAsUser = 0), objects)],
  ['read-only-root-filesystem', (objects) => ((container(objects).securityContext.readOnlyRootFilesystem = false), objects)],
  ['no-privilege-escalation', (objects) => (delete container(objects).securityContext.allowPrivilegeEscalation, objects)],
  [
    'drop-all-capabilities',
    (objects) => ((container(objects).securityContext.capabilities = { drop: ['ALL'], add: ['NET_ADMIN'] }), objects),
  ],
  ['seccomp-runtime-default', (objects) => (delete deployment(objects).spec.template.spec.securityContext.seccompProfile, objects)],
  ['image-pinned', (objects) => ((container(objects).image = 'storefront/shop'), objects)],
  [
    'no-secret-data',
    (objects) => [
      ...objects,
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'keys', labels: { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/part-of': 'storefront' } },
        data: { key: 'c2VjcmV0' },
      },
    ],
  ],
  ['service-account', (objects) => objects.filter(byKind('ServiceAccount'))],
  ['pdb', (objects) => objects.filter(byKind('PodDisruptionBudget'))],
  ['network-policy', (objects) => objects.filter((object) => object.metadata.name !== 'shop' || object.kind !== 'NetworkPolicy')],
  ['labels', (objects) => (delete deployment(objects).spec.template.metadata.labels.version, objects)],
  ['version-label', (objects) => ((container(objects).image = 'storefront/shop:1.3.0'), objects)],
  ['grace-period', (objects) => ((deployment(objects).spec.template.spec.terminationGracePeriodSeconds = 10), objects)],
  [
    'high-availability',
    (objects) => (
      ((objects.find((object) => object.kind === 'HorizontalPodAutoscaler') as Mutable).spec.minReplicas = 2),
      ((objects.find((object) => object.kind === 'PodDisruptionBudget') as Mutable).spec = {
        minAvailable: 2,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'shop' } },
      }),
      objects
    ),
  ],
  [
    'strict-pdb',
    (objects) => (((objects.find((object) => object.kind === 'PodDisruptionBudget') as Mutable).spec.maxUnavailable = 2), objects),
  ],
  ['chaos-duration', (objects) => (delete podChaos(objects).spec.duration, objects)],
  ['chaos-scope', (objects) => ((podChaos(objects).spec.selector.namespaces = ['kube-system']), objects)],
  ['chaos-hypothesis', (objects) => (delete podChaos(objects).metadata.annotations['chaos.storefront.dev/blast-radius'], objects)],
  [
    'chaos-invariants',
    (objects) => ((podChaos(objects).metadata.annotations['chaos.storefront.dev/invariants'] = 'orders-final,stock-conservd'), objects),
  ],
];

describe('policies', () => {
  it('find nothing wrong with the good fixture', () => {
    expect(checkPolicies(goodObjects(), 'production').violations).toEqual([]);
  });

  it('have a broken fixture for every rule', () => {
    expect(BROKEN.map(([rule]) => rule).sort()).toEqual(RULES.map((rule) => rule.id).sort());
  });

  it.each(BROKEN)('%s fires on its broken fixture, and only it', (rule, breakIt) => {
    const rules = checkPolicies(breakIt(goodObjects()), 'production').violations.map((violation) => violation.rule);
    expect([...new Set(rules)]).toEqual([rule]);
  });

  it('refuse a :latest image as unpinned too', () => {
    const objects = goodObjects();
    container(objects).image = 'storefront/shop:latest';
    expect(checkPolicies(objects, 'production').violations.map((violation) => violation.rule)).toContain('image-pinned');
  });

  it('production-only rules stay quiet for development', () => {
    const objects = BROKEN.find(([rule]) => rule === 'strict-pdb')?.[1](goodObjects()) ?? [];
    expect(checkPolicies(objects, 'development').violations).toEqual([]);
  });

  it('want a deadline on every fault and check of a Workflow', () => {
    const objects = goodObjects();
    delete workflow(objects).spec.templates[1].deadline;
    delete workflow(objects).spec.templates[2].deadline;
    expect(checkPolicies(objects, 'production').violations.map((violation) => violation.message)).toEqual([
      'template fault has no deadline: the fault would last until someone deletes it',
      'template check (Task) has no deadline',
    ]);
  });

  it('refuse a chaos selector without a namespace, or one that selects every pod', () => {
    const objects = goodObjects();
    delete workflow(objects).spec.templates[1].podChaos.selector.namespaces;
    podChaos(objects).spec.selector = { namespaces: ['shop'] };
    expect(checkPolicies(objects, 'production').violations.map((violation) => `${violation.object}: ${violation.message}`)).toEqual([
      'PodChaos/shop/kill-shop: spec: selector selects every pod of its namespaces (no labelSelectors or expressionSelectors)',
      "Workflow/shop/game-day: template fault: selector names no namespace (Chaos Mesh would use the experiment's own, silently)",
    ]);
  });

  it('honour an exemption only with a reason', () => {
    const objects = BROKEN.find(([rule]) => rule === 'read-only-root-filesystem')?.[1](goodObjects()) ?? [];
    deployment(objects).metadata.annotations = { 'policy.storefront.dev/exempt': 'read-only-root-filesystem' };
    expect(
      checkPolicies(objects, 'production')
        .violations.map((violation) => violation.rule)
        .sort(),
    ).toEqual(['exemption-reason', 'read-only-root-filesystem']);
    deployment(objects).metadata.annotations['policy.storefront.dev/reason'] = 'writes its cache';
    const report = checkPolicies(objects, 'production');
    expect(report.violations).toEqual([]);
    expect(report.exemptions).toEqual(['read-only-root-filesystem Deployment/shop/shop: writes its cache']);
  });
});

describe('schemas', () => {
  const cluster = (): Mutable => ({
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name: 'shop-db' },
    spec: {
      instances: 1,
      imageName: 'ghcr.io/cloudnative-pg/postgresql:17.5',
      storage: { size: '1Gi' },
      bootstrap: { initdb: { database: 'shop', owner: 'shop' } },
    },
  });

  it('accept the good fixture', () => {
    expect(validateSchemas([...goodObjects(), cluster() as Manifest])).toEqual([]);
  });

  it('refuse an unknown field deep in a core kind, naming its path', () => {
    const objects = goodObjects();
    container(objects).imagePullPolcy = 'Always';
    expect(validateSchemas(objects)).toEqual([
      expect.objectContaining({
        object: 'Deployment/shop/shop',
        path: '/spec/template/spec/containers/0/imagePullPolcy',
        message: expect.stringMatching(/imagePullPolcy.*does not exist in type 'IContainer'/),
      }),
    ]);
  });

  it('refuse a wrong type and a missing required field in a core kind', () => {
    const objects = goodObjects();
    deployment(objects).spec.replicas = 'three';
    delete container(objects).name;
    const errors = validateSchemas(objects);
    expect(errors.map((error) => error.path).sort()).toEqual(['/spec/replicas', '/spec/template/spec/containers/0'].sort());
  });

  it('refuse an unknown field and a wrong type in a custom resource', () => {
    const broken = cluster();
    broken.spec.instance = 3;
    broken.spec.storage.size = 1;
    expect(validateSchemas([broken as Manifest])).toEqual([
      { object: 'Cluster/shop-db', path: '/spec', message: 'unknown field "instance"' },
      expect.objectContaining({ object: 'Cluster/shop-db', path: '/spec/storage/size' }),
    ]);
  });

  it('refuse a misspelt chaos action, a misspelt duration field and a duration that does not parse', () => {
    const objects = chaosObjects();
    const experiment = objects[1] as Mutable;
    experiment.spec.action = 'pod-kil';
    experiment.spec.duratoin = experiment.spec.duration;
    const fault = (objects[2] as Mutable).spec.templates[1];
    fault.deadline = '30 seconds';
    expect(validateSchemas(objects)).toEqual([
      { object: 'PodChaos/shop/kill-shop', path: '/spec', message: 'unknown field "duratoin"' },
      { object: 'PodChaos/shop/kill-shop', path: '/spec/action', message: 'must be equal to one of the allowed values' },
      { object: 'Workflow/shop/game-day', path: '/spec/templates/1/deadline', message: expect.stringMatching(/^must match pattern/) },
    ]);
  });

  it('refuse a Workflow template without the spec its type needs, and an unknown template type', () => {
    const objects = chaosObjects();
    const templates = (objects[2] as Mutable).spec.templates;
    delete templates[1].podChaos;
    templates[2].templateType = 'Job';
    const errors = validateSchemas(objects).map((error) => `${error.path} ${error.message}`);
    expect(errors).toEqual(
      expect.arrayContaining([
        "/spec/templates/1 must have required property 'podChaos'",
        '/spec/templates/2/templateType must be equal to one of the allowed values',
      ]),
    );
  });

  it('refuse a misspelt field of a k6-operator TestRun', () => {
    const testRun = {
      apiVersion: 'k6.io/v1alpha1',
      kind: 'TestRun',
      metadata: { name: 'smoke' },
      spec: { paralellism: 1, script: { configMap: { name: 'k6-scripts', file: 'smoke.ts' } } },
    };
    expect(validateSchemas([testRun]).map((error) => `${error.path} ${error.message}`)).toEqual([
      "/spec must have required property 'parallelism'",
      '/spec unknown field "paralellism"',
    ]);
  });

  it('refuse a kind that has no schema', () => {
    expect(validateSchemas([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }])).toEqual([
      { object: 'Widget/w', path: '/', message: 'no schema for example.com/v1/Widget: add a strict one to deploy/src/schemas/crds.ts' },
    ]);
  });

  it('refuse a custom-resource schema that would let unknown fields through', () => {
    expect(() =>
      assertStrict({
        type: 'object',
        properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } },
        additionalProperties: false,
      }),
    ).toThrow('#/properties/spec: an object schema with properties must set additionalProperties: false');
  });
});
