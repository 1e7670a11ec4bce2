import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { renderDirectory } from '../../../deploy/src';
import { REPO_ROOT } from '../src';

const run = promisify(execFile);
const SKIP = new Set(['node_modules', 'dist', '.git', '.tools', '.stack', 'coverage', 'reports']);

/**
 * A copy of the working tree without installs or builds; the installed packages are the real
 * ones, reached through a symlink of the root node_modules and copies of each package's own
 * node_modules (pnpm's relative symlinks into the root store), so nothing is installed again.
 */
function copyRepository(): string {
  const target = mkdtempSync(join(tmpdir(), 'sf-gen-'));
  cpSync(REPO_ROOT, target, {
    recursive: true,
    filter: (source) => !SKIP.has(source.split('/').at(-1) ?? ''),
  });
  // A directory (pnpm refuses a symlinked one) of links to every installed package.
  mkdirSync(join(target, 'node_modules'));
  for (const entry of readdirSync(join(REPO_ROOT, 'node_modules')).filter((name) => !name.startsWith('.pnpm-task'))) {
    symlinkSync(join(REPO_ROOT, 'node_modules', entry), join(target, 'node_modules', entry));
  }
  for (const parent of ['services', 'libs', '.']) {
    for (const entry of readdirSync(join(REPO_ROOT, parent), { withFileTypes: true })) {
      const modules = join(REPO_ROOT, parent, entry.name, 'node_modules');
      if (!entry.isDirectory() || entry.name === 'node_modules' || !existsSync(modules)) continue;
      cpSync(modules, join(target, relative(REPO_ROOT, modules)), { recursive: true, verbatimSymlinks: true });
    }
  }
  return target;
}

/** Every file of the copy (installs and builds left out), by path, with a hash of its content. */
function snapshot(root: string, dir = ''): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) for (const [file, hash] of snapshot(root, path)) files.set(file, hash);
    else if (entry.isFile())
      files.set(
        path,
        createHash('sha1')
          .update(readFileSync(join(root, path)))
          .digest('hex'),
      );
  }
  return files;
}

/** `  + path (tool)` lines of a --dry-run section, without the note. */
const listed = (stdout: string, mark: '+' | '~') =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith(`  ${mark} `))
    .map((line) => line.slice(4).replace(/ \(.*\)$/, ''));

/** The service to generate: shipping, unless this checkout has one already (it was generated here). */
const NAME = ['shipping', 'dispatch', 'returns', 'parcel-lockers'].find((name) => !existsSync(join(REPO_ROOT, 'services', name))) as string;

const generator = (root: string, ...args: string[]) =>
  run(process.execPath, [join(root, 'libs/devstack/bin/gen-service.mjs'), ...args], {
    cwd: root,
    env: { ...process.env, PATH: `${join(REPO_ROOT, '.tools/pnpm/bin')}:${process.env.PATH ?? ''}` },
  });

describe('pnpm gen:service', () => {
  let root: string;

  beforeAll(() => {
    root = copyRepository();
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('refuses a name that is not kebab-case, or one that exists, saying why', async () => {
    await expect(generator(root, 'Shipping')).rejects.toMatchObject({ stderr: expect.stringContaining('not a kebab-case name') });
    await expect(generator(root, 'ship_ping')).rejects.toMatchObject({ stderr: expect.stringContaining('not a kebab-case name') });
    await expect(generator(root, 'payment')).rejects.toMatchObject({ stderr: expect.stringContaining('services/payment already exists') });
  });

  it('lists what it would write with --dry-run, and writes nothing', async () => {
    const before = snapshot(root);
    const { stdout } = await generator(root, 'parcels', '--dry-run');
    expect(stdout).toContain('+ services/parcels/src/parcels.module.ts');
    expect(stdout).toContain('+ deploy/k8s/base/parcels/kustomization.yaml');
    expect(listed(stdout, '~')).toEqual(['libs/contracts/src/events/registry.ts', 'deploy/k8s/base/kustomization.yaml', 'pnpm-lock.yaml']);
    expect(snapshot(root)).toEqual(before);
  });

  it('adds a service whose own tests pass against the real PostgreSQL and NATS', async () => {
    // What `pnpm install` links for the new package (the same packages payment uses), linked here
    // instead, so the test installs nothing; the generator is told not to install.
    cpSync(join(REPO_ROOT, 'services/payment/node_modules'), join(root, 'services', NAME, 'node_modules'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    const before = snapshot(root);
    const { stdout: plan } = await generator(root, NAME, '--no-install', '--dry-run');
    await generator(root, NAME, '--no-install');
    const after = snapshot(root);

    // What it wrote and edited is what --dry-run listed, and nothing else.
    const edited = [...before.keys()].filter((path) => after.get(path) !== before.get(path)).sort();
    const written = [...after.keys()].filter((path) => !before.has(path));
    expect(edited).toEqual(listed(plan, '~').sort());
    const planned = listed(plan, '+');
    expect(written.filter((path) => !planned.some((entry) => (entry.endsWith('/') ? path.startsWith(entry) : path === entry)))).toEqual([]);
    expect(planned.filter((entry) => !written.some((path) => (entry.endsWith('/') ? path.startsWith(entry) : path === entry)))).toEqual([]);
    // Adding a service edits at most 3 files outside its new folders: these two, and pnpm-lock.yaml
    // (pnpm install, skipped here). A new list of the services would show up here.
    expect(edited).toEqual(['deploy/k8s/base/kustomization.yaml', 'libs/contracts/src/events/registry.ts']);
    expect(edited.length + 1).toBeLessThanOrEqual(3);
    // The new files are the service's own: its folder, its deploy folder, its contract, baselines and AsyncAPI document.
    expect(
      written.filter(
        (path) =>
          ![
            `services/${NAME}/`,
            `deploy/k8s/base/${NAME}/`,
            `libs/contracts/src/events/${NAME}.events.ts`,
            `libs/contracts/events-baseline/${NAME}.`,
            `libs/contracts/asyncapi/${NAME}.json`,
          ].some((own) => path.startsWith(own)),
      ),
    ).toEqual([]);

    expect(existsSync(join(root, 'services', NAME, 'src/infrastructure/prisma/generated/client.ts'))).toBe(true);
    expect(existsSync(join(root, `libs/contracts/events-baseline/${NAME}.${NAME}-item-created.v1.json`))).toBe(true);

    // Its database comes with its folder: each overlay renders its Cluster, with the settings every
    // Cluster shares (components/postgres) and no tier label (the data Application deploys it).
    for (const [overlay, instances] of [
      ['kind', 1],
      ['production', 3],
    ] as const) {
      const cluster = (await renderDirectory(join(root, 'deploy/k8s/overlays', overlay))).find(
        (object) => object.kind === 'Cluster' && object.metadata.name === `${NAME}-db`,
      );
      expect(cluster?.metadata.labels).toEqual({
        'app.kubernetes.io/name': `${NAME}-db`,
        'app.kubernetes.io/part-of': 'storefront',
        'app.kubernetes.io/component': 'database',
        'app.kubernetes.io/managed-by': 'kustomize',
      });
      const database = NAME.replaceAll('-', '_');
      expect(cluster?.spec).toMatchObject({ instances, bootstrap: { initdb: { database, owner: database } } });
    }

    const jest = await run(
      process.execPath,
      [
        '--experimental-vm-modules',
        join(REPO_ROOT, 'node_modules/jest/bin/jest.js'),
        '--ci',
        '--maxWorkers=1',
        `services/${NAME}`,
        'libs/contracts/test',
        // Its deploy folder renders, fits the schemas and keeps every policy, in every combination.
        'deploy/test/manifests.test.ts',
      ],
      { cwd: root, env: { ...process.env, FORCE_COLOR: '0' }, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`the generated service's tests failed:\n${error.stderr ?? ''}\n${error.stdout ?? ''}`);
    });
    expect(jest.stderr).toMatch(/Tests:\s+\d+ passed, \d+ total/);
    // The copy linked this checkout's packages; nothing relinked them into the copy.
    const hoisted = join(REPO_ROOT, 'node_modules/.pnpm/node_modules/@grpc/grpc-js');
    expect(realpathSync(hoisted).startsWith(REPO_ROOT)).toBe(true);
  }, 600_000);
});
