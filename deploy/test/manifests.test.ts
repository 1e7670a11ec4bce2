import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ALL_RULES,
  checkPolicies,
  COMBINATIONS,
  describe as name,
  renderCombination,
  validateSchemas,
  workloadsOf,
  type Manifest,
} from '../src';

const REPO = join(__dirname, '..', '..');

/** Every documented way to deploy renders, fits its schemas and breaks no policy. */
describe.each(COMBINATIONS)('$name', (combination) => {
  let objects: Manifest[];

  beforeAll(async () => {
    objects = await renderCombination(combination);
  }, 180_000);

  it('renders', () => {
    expect(objects.length).toBeGreaterThan(20);
  });

  it('fits the schema of every kind, with no unknown field', () => {
    expect(validateSchemas(objects)).toEqual([]);
  });

  it(`breaks no ${combination.profile} policy`, () => {
    const report = checkPolicies(objects, combination.profile, ALL_RULES);
    expect(report.violations).toEqual([]);
    // Exemptions are deliberate and few; a new one shows up here.
    expect(report.exemptions).toEqual(
      [
        'run-as-non-root DaemonSet/observability/otel-collector: reads /var/log/pods, whose files only root may read; mounted read-only',
      ].filter(() => objects.some((object) => object.kind === 'DaemonSet')),
    );
  });

  it('gives each workload every variable .env.example documents for it', () => {
    for (const workload of workloadsOf(objects).filter((candidate) =>
      ['service', 'gateway'].includes(candidate.podLabels['app.kubernetes.io/component'] ?? ''),
    )) {
      const service = workload.podLabels['app.kubernetes.io/name'] as string;
      const container = workload.pod?.containers?.[0] as { env?: { name: string }[]; envFrom?: { configMapRef?: { name: string } }[] };
      const provided = new Set(container.env?.map((variable) => variable.name));
      for (const source of container.envFrom ?? []) {
        const configMap = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name === source.configMapRef?.name);
        for (const key of Object.keys((configMap?.data as object | undefined) ?? {})) provided.add(key);
      }
      const missing = documentedVariables(service).filter((variable) => !provided.has(variable));
      expect({ workload: name(workload.object), missing }).toEqual({ workload: name(workload.object), missing: [] });
    }
  });

  it("leaves room in each service's memory limit for its V8 heap cap and what lives outside the heap", () => {
    const cap = heapCapMiB();
    for (const workload of workloadsOf(objects).filter((candidate) =>
      ['service', 'gateway'].includes(candidate.podLabels['app.kubernetes.io/component'] ?? ''),
    )) {
      const container = workload.pod?.containers?.[0] as { resources?: { limits?: { memory?: string } } };
      const limit = mebibytes(container.resources?.limits?.memory);
      expect({ workload: name(workload.object), fits: limit >= cap + OUTSIDE_HEAP_MIB }).toEqual({
        workload: name(workload.object),
        fits: true,
      });
    }
  });
});

/**
 * What a service process keeps resident besides its V8 old generation, measured after `pnpm bench`
 * (docs/bench.md): the node binary's pages (~60 MB), malloc (~30 MB), new space, code and large
 * objects (~25 MB), thread stacks and the rest, with margin. A heap cap plus this above the container
 * limit would have the kernel kill the process before V8 collects.
 */
const OUTSIDE_HEAP_MIB = 128;

/** `--max-old-space-size` of the image's command (deploy/docker/Dockerfile, NODE_FLAGS of devstack). */
function heapCapMiB(): number {
  const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(REPO, 'deploy', 'docker', 'Dockerfile'), 'utf8'))?.[1];
  const flag = (JSON.parse(cmd ?? '[]') as string[]).find((argument) => argument.startsWith('--max-old-space-size='));
  if (!flag) throw new Error('the image sets no --max-old-space-size');
  return Number(flag.split('=')[1]);
}

function mebibytes(quantity: string | undefined): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity ?? '');
  if (!match) throw new Error(`memory limit ${quantity} is not in Mi or Gi`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}

/**
 * The variables .env.example lists for a workload: its sections "every service and the gateway",
 * "every service (not the gateway)" for services, and its own. AUTH_JWKS_URL and AUTH_JWKS are two
 * ways to give the same keys: a workload needs one of them.
 */
function documentedVariables(service: string): string[] {
  const scopes: Record<string, (name: string) => boolean> = {
    'every service and the gateway': () => true,
    'every service (not the gateway)': (name) => name !== 'gateway',
    [`services/${service}`]: () => true,
    gateway: (name) => name === 'gateway',
  };
  const variables: string[] = [];
  let applies = false;
  for (const line of readFileSync(join(REPO, '.env.example'), 'utf8').split('\n')) {
    const section = /^# --- (.+?) -+$/.exec(line);
    if (section) applies = scopes[section[1] as string]?.(service) ?? false;
    const variable = /^#?\s*([A-Z][A-Z0-9_]+)=/.exec(line)?.[1];
    if (applies && variable && !variables.includes(variable)) variables.push(variable);
  }
  return variables.filter((variable) => variable !== 'AUTH_JWKS_URL' || !variables.includes('AUTH_JWKS'));
}
