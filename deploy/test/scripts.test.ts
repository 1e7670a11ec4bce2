import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { SERVICES } from '@storefront/devstack';
import { ALL_RULES, applicationsOf, checkPolicies, parseManifests, renderSource, validateSchemas } from '../src';

const run = promisify(execFile);
const REPO = join(__dirname, '..', '..');
const UP = join(REPO, 'deploy', 'kind', 'up.sh');

async function onPath(command: string, hint: string): Promise<void> {
  const found = await run('sh', ['-c', `command -v ${command}`]).then(
    () => true,
    () => false,
  );
  if (!found) throw new Error(`${command} is not on PATH. ${hint}`);
}

describe('shell scripts', () => {
  it('pass shellcheck', async () => {
    await onPath('shellcheck', 'Install it: apt-get install shellcheck (Debian/Ubuntu) or brew install shellcheck.');
    const { stdout } = await run('git', ['ls-files', '*.sh', '.ci/run'], { cwd: REPO });
    const scripts = stdout.split('\n').filter(Boolean);
    expect(scripts).toEqual(expect.arrayContaining(['deploy/kind/up.sh', 'deploy/kind/down.sh', '.ci/run']));
    const result = await run('shellcheck', ['--external-sources', ...scripts], { cwd: REPO }).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );
    expect(result).toBe('');
  });
});

describe('GitHub workflows', () => {
  it('pass action-validator (unknown keys, bad expressions)', async () => {
    const dir = join(REPO, '.github', 'workflows');
    const workflows = readdirSync(dir).filter((file) => /\.ya?ml$/.test(file));
    expect(workflows).toEqual(expect.arrayContaining(['ci.yml', 'kind-e2e.yml']));
    const validator = join(REPO, 'deploy', 'node_modules', '.bin', 'action-validator');
    for (const workflow of workflows) {
      const problems = await run(validator, [join(dir, workflow)]).then(
        () => '',
        (error: { stdout: string; stderr: string }) => `${error.stdout}${error.stderr}`,
      );
      expect({ workflow, problems }).toEqual({ workflow, problems: '' });
    }
  });
});

describe('deploy/kind/up.sh', () => {
  it('--dry-run prints every step in order and runs none', async () => {
    const { stdout } = await run(UP, ['--dry-run'], { env: { ...process.env, PATH: '/usr/bin:/bin' } });
    const order = [
      'kind create cluster --name storefront',
      'cnpg-1.27.0.yaml',
      'pnpm images',
      'kind load docker-image storefront/catalog:',
      'kind load docker-image storefront/gateway:',
      'pnpm -s stack jwks',
      'kubectl apply --server-side -f',
      'wait clusters.postgresql.cnpg.io --all --for=condition=Ready',
      'delete job -l app.kubernetes.io/component=migration',
      'wait job -l app.kubernetes.io/component=migration --for=condition=Complete',
      '-l app.kubernetes.io/component in (service,gateway,seed)',
      'rollout status deployment/gateway',
      'dry run: nothing was run',
      'Gateway:  http://localhost:8080',
    ];
    const positions = order.map((text) => stdout.indexOf(text));
    expect(order.filter((_, index) => positions[index] === -1)).toEqual([]);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('--dry-run --gitops installs Argo CD, registers the root app, then waits for Istio, Argo Rollouts and Prometheus in order', async () => {
    const { stdout } = await run(UP, ['--dry-run', '--gitops'], {
      env: { ...process.env, PATH: '/usr/bin:/bin', GITOPS_REPO_URL: 'git@github.com:someone/storefront.git' },
    });
    const order = [
      'kind create cluster --name storefront',
      'env IMAGE_TAG=0.1.0 pnpm images',
      'kind load docker-image storefront/gateway:0.1.0',
      'Argo CD v3.3.14',
      'argo-cd/v3.3.14/manifests/install.yaml',
      '-k ' + join(REPO, 'gitops', 'argocd'),
      'root Application: https://github.com/someone/storefront.git',
      'kubectl apply -f',
      'Istio 1.28.3',
      'application/istio-base application/istiod application/istio-cni application/istio-ingress',
      'Argo Rollouts v1.8.3',
      'application/argo-rollouts',
      'Prometheus, which the canary analysis reads',
      'statefulset/prometheus',
      'application/gateway-kind application/ingress-kind',
      'dry run: nothing was run',
      'argocd-initial-admin-secret',
    ];
    const positions = order.map((text) => stdout.indexOf(text));
    expect(order.filter((_, index) => positions[index] === -1)).toEqual([]);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(stdout).not.toContain('cnpg-1.27.0.yaml'); // Argo CD installs the operator from gitops/platform
  });

  it('--render-only --gitops writes a root Application whose environment follows the fork it names', async () => {
    const releaseDir = `.release-test-gitops-${process.pid}`;
    try {
      await run(UP, ['--render-only', '--gitops'], {
        env: {
          ...process.env,
          KIND_RELEASE_DIR: releaseDir,
          GITOPS_REPO_URL: 'https://github.com/someone/storefront.git',
          GITOPS_REVISION: 'canary-demo',
        },
      });
      const { stdout } = await run('cat', [join(REPO, 'deploy', 'kind', releaseDir, 'root-app.yaml')]);
      const [root] = parseManifests(stdout);
      expect(validateSchemas(root ? [root] : [])).toEqual([]);
      const source = (root?.spec as { source: { repoURL: string; targetRevision: string; path: string } }).source;
      expect(source).toMatchObject({
        repoURL: 'https://github.com/someone/storefront.git',
        targetRevision: 'canary-demo',
        path: 'gitops/environments/kind',
      });
      // What the root deploys (gitops.test.ts checks the environment itself): the fork, everywhere.
      const objects = await renderSource(source);
      const project = objects.find((object) => object.kind === 'AppProject' && object.metadata.name === 'storefront');
      expect((project?.spec as { sourceRepos: string[] }).sourceRepos).toEqual(['https://github.com/someone/storefront.git']);
      const sources = applicationsOf(objects)
        .filter((application) => application.spec.project === 'storefront')
        .map((application) => application.spec.source);
      // data, gateway and ingress, and one per service folder.
      expect(sources.length).toBe(3 + SERVICES.filter((service) => service.dir.startsWith('services/')).length);
      expect(new Set(sources.map((generated) => `${generated.repoURL}@${generated.targetRevision ?? ''}:${generated.path ?? ''}`))).toEqual(
        new Set(['https://github.com/someone/storefront.git@canary-demo:gitops/manifests/kind']),
      );
    } finally {
      rmSync(join(REPO, 'deploy', 'kind', releaseDir), { recursive: true, force: true });
    }
  });

  it("--render-only renders the kind overlay with this commit's tag and the dev keys, and it validates", async () => {
    const releaseDir = `.release-test-${process.pid}`;
    const stateDir = mkdtempSync(join(tmpdir(), 'sf-kind-'));
    try {
      await run(UP, ['--render-only', '--with-observability'], {
        env: { ...process.env, KIND_RELEASE_DIR: releaseDir, STOREFRONT_STATE_DIR: stateDir },
      });
      const { stdout } = await run('cat', [join(REPO, 'deploy', 'kind', releaseDir, 'rendered.yaml')]);
      const objects = parseManifests(stdout);
      const { stdout: sha } = await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO });
      const gateway = objects.find((object) => object.kind === 'Deployment' && object.metadata.name === 'gateway') as unknown as {
        spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: { image: string }[] } } };
      };
      const tag = gateway.spec.template.spec.containers[0]?.image.split(':')[1] ?? '';
      expect(tag.startsWith(sha.trim())).toBe(true);
      expect(gateway.spec.template.metadata.labels.version).toBe(tag);
      const secret = objects.find((object) => object.kind === 'Secret' && object.metadata.name === 'auth-jwks') as unknown as {
        data: { jwks: string };
      };
      expect(JSON.parse(Buffer.from(secret.data.jwks, 'base64').toString())).toEqual({
        keys: [expect.objectContaining({ kty: 'EC', alg: 'ES256' })],
      });
      expect(validateSchemas(objects)).toEqual([]);
      // A deploy-time render may carry the Secret it was made for; nothing else is relaxed.
      const rules = ALL_RULES.filter((rule) => rule.id !== 'no-secret-data');
      expect(checkPolicies(objects, 'development', rules).violations).toEqual([]);
    } finally {
      rmSync(join(REPO, 'deploy', 'kind', releaseDir), { recursive: true, force: true });
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('--dry-run --with-chaos installs Chaos Mesh, pinned, on containerd, before the images are built', async () => {
    const { stdout } = await run(UP, ['--dry-run', '--with-chaos'], { env: { ...process.env, PATH: '/usr/bin:/bin' } });
    const helm = stdout.split('\n').find((line) => line.includes('helm upgrade --install chaos-mesh')) ?? '';
    expect(helm).toMatch(/--version \d+\.\d+\.\d+ /);
    expect(helm).toContain('--set chaosDaemon.runtime=containerd');
    expect(helm).toContain('--set chaosDaemon.socketPath=/run/containerd/containerd.sock');
    expect(helm).toContain('--set controllerManager.enableFilterNamespace=true');
    expect(stdout.indexOf(helm)).toBeLessThan(stdout.indexOf('pnpm images'));
    expect(stdout).toContain('kind load docker-image storefront/invariants:');
    expect(stdout).toMatch(/notin \(.*chaos-experiment,invariant-check\)/);
    // Without the flag, nothing of Chaos Mesh.
    const { stdout: plain } = await run(UP, ['--dry-run'], { env: { ...process.env, PATH: '/usr/bin:/bin' } });
    expect(plain).not.toMatch(/chaos-mesh|invariants/);
  });

  it("--render-only --with-chaos adds the checker's admin token, tags the checker everywhere it runs, and it validates", async () => {
    const releaseDir = `.release-test-chaos-${process.pid}`;
    const stateDir = mkdtempSync(join(tmpdir(), 'sf-kind-'));
    try {
      await run(UP, ['--render-only', '--with-chaos'], {
        env: { ...process.env, KIND_RELEASE_DIR: releaseDir, STOREFRONT_STATE_DIR: stateDir },
      });
      const { stdout } = await run('cat', [join(REPO, 'deploy', 'kind', releaseDir, 'rendered.yaml')]);
      const objects = parseManifests(stdout);
      const secret = objects.find((object) => object.kind === 'Secret' && object.metadata.name === 'invariants-admin-token') as unknown as {
        data: { token: string };
      };
      const token = Buffer.from(secret.data.token, 'base64').toString().trim();
      const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { roles: string[]; exp: number };
      expect(claims.roles).toEqual(['admin']);
      expect(claims.exp - Date.now() / 1000).toBeGreaterThan(29 * 24 * 3600);
      const images = new Set([...stdout.matchAll(/image: (storefront\/invariants:\S+)/g)].map((match) => match[1]));
      const { stdout: sha } = await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO });
      // The Job, the game day's eight checks and the Schedule's copy of them: one tag, this commit's.
      expect([...images]).toEqual([expect.stringMatching(new RegExp(`^storefront/invariants:${sha.trim()}`))]);
      expect([...stdout.matchAll(/image: storefront\/invariants:/g)]).toHaveLength(17);
      expect(validateSchemas(objects)).toEqual([]);
      const rules = ALL_RULES.filter((rule) => rule.id !== 'no-secret-data');
      expect(checkPolicies(objects, 'development', rules).violations).toEqual([]);
    } finally {
      rmSync(join(REPO, 'deploy', 'kind', releaseDir), { recursive: true, force: true });
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown option', async () => {
    await expect(run(UP, ['--dry-rum'])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('unknown option --dry-rum') });
    expect(basename(UP)).toBe('up.sh');
  });
});
