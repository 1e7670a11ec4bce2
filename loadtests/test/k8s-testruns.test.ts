import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderDirectory, validateSchemas } from '@storefront/deploy';

/**
 * The k6-operator TestRuns (loadtests/k8s/<scenario>) render with kustomize into objects that fit
 * together: the script a TestRun names is in the ConfigMap it names, beside every file it imports;
 * the settings, token Secret and reports volume it mounts are the ones rendered or documented.
 * Rendered and checked by deploy/'s validator: every object fits its schema, the TestRun's strict one
 * included (deploy/src/schemas/k6-operator.ts).
 */
const ROOT = join(__dirname, '..');
const SCENARIOS = ['smoke', 'average', 'stress', 'spike', 'soak', 'breakpoint'];

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

interface RunnerSpec {
  image: string;
  env: { name: string; value: string }[];
  envFrom: { configMapRef: { name: string } }[];
  volumes: { name: string; secret?: { secretName: string }; persistentVolumeClaim?: { claimName: string } }[];
  volumeMounts: { name: string; mountPath: string }[];
  securityContext: { runAsNonRoot: boolean };
}

describe.each(SCENARIOS)('loadtests/k8s/%s', (scenario) => {
  let objects: K8sObject[];
  const one = (kind: string, name: string) => {
    const found = objects.filter((object) => object.kind === kind && object.metadata.name === name);
    expect(found).toHaveLength(1);
    return found[0] as K8sObject;
  };

  beforeAll(async () => {
    objects = await renderDirectory(join(ROOT, 'k8s', scenario));
  });

  it("fits the schema of every kind, the TestRun's included, with no unknown field", () => {
    expect(validateSchemas(objects as never)).toEqual([]);
  });

  it('renders one TestRun of this scenario in the load test namespace, with a pinned k6 image', () => {
    const testRuns = objects.filter((object) => object.kind === 'TestRun');
    expect(testRuns.map((object) => [object.apiVersion, object.metadata.name, object.metadata.namespace])).toEqual([
      ['k6.io/v1alpha1', `storefront-${scenario}`, 'storefront-loadtests'],
    ]);
    const spec = testRuns[0]?.spec as {
      parallelism: number;
      script: { configMap: { name: string; file: string } };
      runner: RunnerSpec;
      starter: { image: string };
    };
    expect(spec.parallelism).toBe(1);
    expect(spec.script.configMap).toEqual({ name: 'k6-scripts', file: `${scenario}.ts` });
    expect(spec.runner.image).toMatch(/^grafana\/k6:\d+\.\d+\.\d+$/);
    expect(spec.starter.image).toMatch(/:starter-v\d+\.\d+\.\d+$/);
    expect(spec.runner.securityContext.runAsNonRoot).toBe(true);
  });

  it('ships every script unchanged in the ConfigMap the TestRun runs, so its imports resolve', async () => {
    const scripts = one('ConfigMap', 'k6-scripts');
    const files = (await readdir(join(ROOT, 'scripts'))).filter((file) => file.endsWith('.ts')).sort();
    expect(Object.keys(scripts.data ?? {}).sort()).toEqual(files);
    for (const file of files) expect(scripts.data?.[file]).toBe(await readFile(join(ROOT, 'scripts', file), 'utf8'));
  });

  it('gives the runner its settings, the token Secret at TOKENS_FILE and the reports volume at REPORT_DIR', () => {
    const runner = (one('TestRun', `storefront-${scenario}`).spec as { runner: RunnerSpec }).runner;
    const env = Object.fromEntries(runner.env.map(({ name, value }) => [name, value]));
    const mountOf = (path: string) => {
      const mount = runner.volumeMounts.find((candidate) => path.startsWith(`${candidate.mountPath}/`) || path === candidate.mountPath);
      return runner.volumes.find((volume) => volume.name === mount?.name);
    };
    expect(runner.envFrom.map((source) => source.configMapRef.name)).toEqual(['k6-settings']);
    expect(one('ConfigMap', 'k6-settings').data?.BASE_URL).toMatch(/^http:\/\/gateway\.storefront\.svc\.cluster\.local:\d+$/);
    // The Secret is made at run time from `pnpm load:tokens` (loadtests/README.md), never committed.
    expect(mountOf(env.TOKENS_FILE as string)?.secret?.secretName).toBe('k6-tokens');
    expect(objects.some((object) => object.kind === 'Secret')).toBe(false);
    const reports = mountOf(env.REPORT_DIR as string)?.persistentVolumeClaim?.claimName as string;
    expect(one('PersistentVolumeClaim', reports).metadata.namespace).toBe('storefront-loadtests');
  });
});

it('has a TestRun folder for every scenario script and no other', async () => {
  const folders = (await readdir(join(ROOT, 'k8s'), { withFileTypes: true }))
    .filter((entry) => entry.isDirectory() && !['base', 'runner'].includes(entry.name))
    .map((entry) => entry.name)
    .sort();
  expect(folders).toEqual([...SCENARIOS].sort());
});
