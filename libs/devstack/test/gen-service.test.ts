import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
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
    const { stdout } = await generator(root, 'parcels', '--dry-run');
    expect(stdout).toContain('+ services/parcels/src/parcels.module.ts');
    expect(stdout).toContain('+ deploy/k8s/base/parcels/kustomization.yaml');
    expect(stdout).toContain('~ gitops/apps/services/kustomization.yaml');
    expect(existsSync(join(root, 'services/parcels'))).toBe(false);
  });

  it('adds a service whose own tests pass against the real PostgreSQL and NATS', async () => {
    // What `pnpm install` links for the new package (the same packages payment uses), linked here
    // instead, so the test installs nothing; the generator is told not to install.
    cpSync(join(REPO_ROOT, 'services/payment/node_modules'), join(root, 'services/shipping/node_modules'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    await generator(root, 'shipping', '--no-install');
    expect(existsSync(join(root, 'services/shipping/src/infrastructure/prisma/generated/client.ts'))).toBe(true);
    expect(existsSync(join(root, 'libs/contracts/events-baseline/shipping.shipping-item-created.v1.json'))).toBe(true);

    const jest = await run(
      process.execPath,
      [
        '--experimental-vm-modules',
        join(REPO_ROOT, 'node_modules/jest/bin/jest.js'),
        '--ci',
        '--maxWorkers=1',
        'services/shipping',
        'libs/contracts/test',
      ],
      { cwd: root, env: { ...process.env, FORCE_COLOR: '0' }, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`the generated service's tests failed:\n${error.stderr ?? ''}\n${error.stdout ?? ''}`);
    });
    expect(jest.stderr).toMatch(/Tests:\s+\d+ passed, \d+ total/);
  }, 300_000);
});
