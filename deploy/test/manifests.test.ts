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
});

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
