import { join } from 'node:path';
import { SERVICES } from '@storefront/devstack';
import {
  checkGitops,
  ENVIRONMENTS,
  expandApplicationSet,
  expandTemplate,
  GITOPS_RULES,
  loadEnvironment,
  renderDirectory,
  REPO_ROOT,
  validateSchemas,
  type GitopsEnvironment,
  type Manifest,
} from '../src';

/** The services, as `npm start` finds them: each has a deploy/k8s/base folder and an Application. */
const BACKING_SERVICES = SERVICES.filter((service) => service.dir.startsWith('services/')).map((service) => service.name);

/** Each environment is rendered once for the whole file (a dozen kustomize builds). */
const loaded = new Map<string, Promise<GitopsEnvironment>>();
function environmentNamed(name: string): Promise<GitopsEnvironment> {
  let environment = loaded.get(name);
  if (!environment) {
    environment = loadEnvironment(name);
    loaded.set(name, environment);
  }
  return environment;
}

describe.each(ENVIRONMENTS)('gitops/environments/%s', (name) => {
  let environment: GitopsEnvironment;

  // A dozen kustomize builds: minutes on a loaded machine.
  beforeAll(async () => {
    environment = await environmentNamed(name);
  }, 300_000);

  it('renders AppProjects, Applications and ApplicationSets that fit their schemas, generated Applications included', () => {
    expect(environment.root.map((object) => object.kind).sort()).toEqual([
      'AppProject',
      'AppProject',
      'Application',
      'Application',
      'Application',
      'Application',
      'Application',
      'Application',
      'ApplicationSet',
      'ApplicationSet',
      'ApplicationSet',
      'ApplicationSet',
    ]);
    expect(validateSchemas([...environment.root, ...environment.applications.map((application) => application.object)])).toEqual([]);
  });

  it('deploys each service as an Application of its own, after the data and before the way in', () => {
    const waves = Object.fromEntries(environment.applications.map((application) => [application.object.metadata.name, application.wave]));
    expect(waves).toEqual({
      'cloudnative-pg': -4,
      'argo-rollouts': -4,
      'istio-base': -4,
      istiod: -3,
      'istio-cni': -3,
      'istio-ingress': -2,
      [`data-${name}`]: -1,
      // Every service folder (services/<name>, as libs/devstack finds them), none by hand.
      ...Object.fromEntries(BACKING_SERVICES.map((service) => [`${service}-${name}`, 0])),
      [`gateway-${name}`]: 1,
      [`ingress-${name}`]: 2,
    });
    const order = environment.renders.get(`order-${name}`) as Manifest[];
    expect(order.map((object) => `${object.kind}/${object.metadata.name}`).sort()).toEqual(
      [
        'ConfigMap/order',
        'DestinationRule/order',
        'HorizontalPodAutoscaler/order',
        'Job/order-migrate',
        'NetworkPolicy/order',
        'PodDisruptionBudget/order',
        'Rollout/order',
        'Service/order',
        'ServiceAccount/order',
        'VirtualService/order',
      ].map((id): unknown => (id.startsWith('ConfigMap') ? expect.stringMatching(/^ConfigMap\/order-\w+$/) : id)),
    );
  });

  it('breaks no gitops rule', () => {
    expect(checkGitops(environment)).toEqual([]);
  });
});

describe('gitops/argocd', () => {
  it('restores the health of Applications (the documented check) and assesses ApplicationSets by their Applications', async () => {
    const objects = await renderDirectory(join(REPO_ROOT, 'gitops', 'argocd'));
    expect(validateSchemas(objects)).toEqual([]);
    const data = (objects.find((object) => object.metadata.name === 'argocd-cm')?.data ?? {}) as Record<string, string>;
    expect(data['resource.customizations.health.argoproj.io_Application']).toContain('hs.status = obj.status.health.status');
    expect(data['resource.customizations.health.argoproj.io_ApplicationSet']).toContain('obj.status.resources');
  });
});

describe('ApplicationSet generators', () => {
  const set = (git: Record<string, unknown>, repoURL = 'https://example.com/storefront.git'): Manifest => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: 'services', namespace: 'argocd' },
    spec: {
      goTemplate: true,
      generators: [{ git: { repoURL: 'https://example.com/storefront.git', revision: 'main', ...git } }],
      template: { metadata: { name: '{{.path.basename}}-kind' }, spec: { source: { repoURL, path: '{{.path.path}}' } } },
    },
  });

  it('expand a git directory generator over the folders of this repository, the excluded ones left out', () => {
    const generated = expandApplicationSet(
      set({
        directories: [
          { path: 'deploy/k8s/base/*' },
          { path: 'deploy/k8s/base/g?[a-z]', exclude: true }, // not even gateway: path.Match covers the whole name
          ...['gateway', 'grpc', 'service', 'workload'].map((folder) => ({ path: `deploy/k8s/base/${folder}`, exclude: true })),
        ],
      }),
    );
    expect(generated.map((application) => application.metadata.name)).toEqual(
      [...BACKING_SERVICES].sort().map((service) => `${service}-kind`),
    );
    expect((generated[0]?.spec as { source: { path: string } }).source.path).toMatch(/^deploy\/k8s\/base\/[a-z-]+$/);
  });

  it('refuse a git generator over another repository than its Applications deploy, and a files generator', () => {
    expect(() => expandApplicationSet(set({ directories: [{ path: '*' }] }, 'https://example.com/other.git'))).toThrow(
      'only this repository can be read offline',
    );
    expect(() => expandApplicationSet(set({ files: [{ path: '*.json' }] }))).toThrow('git files generators are not expanded offline');
  });
});

describe('ApplicationSet templates', () => {
  it('fill {{.key}} and {{.key.field}}, refuse a missing key (missingkey=error) and any other action', () => {
    expect(expandTemplate('{{.path.basename}}-kind', { path: { basename: 'order' } })).toBe('order-kind');
    expect(() => expandTemplate('{{.path.base}}', { path: { basename: 'order' } })).toThrow('template key "path.base" is missing');
    expect(expandTemplate({ name: '{{.name}}-kind', list: ['{{ .tier }}'] }, { name: 'order', tier: 'services' })).toEqual({
      name: 'order-kind',
      list: ['services'],
    });
    expect(() => expandTemplate('{{.nmae}}', { name: 'order' })).toThrow('template key "nmae" is missing (missingkey=error)');
    expect(() => expandTemplate('{{ .name | upper }}', { name: 'order' })).toThrow('unsupported template action');
  });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are edited freely
type Mutable = Record<string, any>;

/** Each broken environment breaks one gitops rule; the rule must fire, and nothing else. */
describe('gitops rules', () => {
  let kind: GitopsEnvironment;

  beforeAll(async () => {
    kind = await environmentNamed('kind');
  }, 300_000);

  /** A copy of the kind environment to break (renders shared, as they are not edited in place). */
  const copy = (): GitopsEnvironment => {
    const root = structuredClone(kind.root);
    return {
      ...kind,
      root,
      applications: kind.applications.map((application) => structuredClone(application)),
      renders: new Map(kind.renders),
    };
  };
  const application = (environment: GitopsEnvironment, name: string) =>
    environment.applications.find(({ object }) => object.metadata.name === name) as Mutable;

  const BROKEN: [rule: string, breakIt: (environment: GitopsEnvironment) => GitopsEnvironment][] = [
    [
      'application-source',
      (environment) => ((application(environment, 'order-kind').spec.source.path = 'gitops/manifests/kinde'), environment),
    ],
    ['application-sync', (environment) => ((application(environment, 'order-kind').spec.ignoreDifferences = []), environment)],
    ['sync-waves', (environment) => ((application(environment, 'gateway-kind').wave = 0), environment)],
    [
      'environment-partition',
      (environment) => (
        environment.renders.set('data-kind', [
          ...(environment.renders.get('data-kind') as Manifest[]),
          ...(environment.renders.get('order-kind') as Manifest[]).slice(0, 1),
        ]),
        environment
      ),
    ],
    [
      'project-scope',
      (environment) => (
        ((
          environment.root.find((object) => object.metadata.name === 'storefront' && object.kind === 'AppProject') as Mutable
        ).spec.destinations = [{ namespace: 'storefront' }]),
        environment
      ),
    ],
  ];

  it('have a broken environment for every rule', () => {
    expect(BROKEN.map(([rule]) => rule).sort()).toEqual(GITOPS_RULES.map((rule) => rule.id).sort());
  });

  it.each(BROKEN)('%s fires on its broken environment, and only it', (rule, breakIt) => {
    const violations = checkGitops(breakIt(copy()));
    expect(violations.length).toBeGreaterThan(0);
    expect([...new Set(violations.map((violation) => violation.rule))]).toEqual([rule]);
  });

  it('sync-waves names what comes too early and why', () => {
    const messages = checkGitops(BROKEN.find(([rule]) => rule === 'sync-waves')?.[1](copy()) ?? kind).map((violation) => violation.message);
    expect(messages).toContain(
      'Rollout/storefront/gateway (wave 0.0) must come after Rollout/storefront/catalog (wave 0.0): the gateway calls the services',
    );
  });

  it('a source from elsewhere must be pinned to a version', () => {
    const environment = copy();
    application(environment, 'istiod').spec.source.targetRevision = 'master';
    expect(checkGitops(environment).map((violation) => violation.message)).toEqual([
      'https://istio-release.storage.googleapis.com/charts is not pinned to a version (targetRevision "master")',
    ]);
  });
});
