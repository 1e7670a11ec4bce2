import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, SERVICES } from '../src';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

/**
 * What deploy/docker/Dockerfile, `pnpm images` (deploy/images) and the CI images job assume about
 * the processes of the stack. Building the images needs a container engine; these facts do not.
 */
describe('images', () => {
  it('one per process, found where pnpm images looks (services/<name> and gateway)', () => {
    for (const service of SERVICES) {
      expect(service.dir).toBe(service.name === 'gateway' ? 'gateway' : `services/${service.name}`);
    }
  });

  it('the CI images matrix (deploy/images/list.mjs) builds every one of them, and the invariant checker', () => {
    const names = JSON.parse(execFileSync(process.execPath, [join(REPO_ROOT, 'deploy/images/list.mjs')], { encoding: 'utf8' })) as string[];
    expect(names.sort()).toEqual([...SERVICES.map((service) => service.name), 'invariants'].sort());
    const workflow = read('.github/workflows/ci.yml');
    expect(workflow).toContain('node deploy/images/list.mjs');
    // The version step finds each package: services/<name>, libs/<name> (the checker), <name> (the gateway).
    expect(workflow).toContain('[ -d "$dir" ] || dir=libs/${{ matrix.name }}');
  });

  it('the invariant checker image runs what its Job runs: node dist/cli.js in /app', () => {
    const { name, files, bin } = JSON.parse(read('libs/invariants/package.json')) as {
      name: string;
      files?: string[];
      bin?: Record<string, string>;
    };
    expect(name).toBe('@storefront/invariants'); // the Dockerfile deploys @storefront/<SERVICE>
    expect(files).toContain('dist');
    expect(bin).toEqual({ 'sf-invariants': './dist/cli.js' });
    expect(read('deploy/k8s/components/chaos/invariants.yaml')).toContain('exec node dist/cli.js --until');
    expect(read('deploy/images/engine.mjs')).toContain("{ name: 'invariants', dir: 'libs/invariants', kind: 'tool' }");
  });

  it('each package ships its build output, and one with a database its migrations', () => {
    for (const service of SERVICES) {
      const { files } = JSON.parse(read(join(service.dir, 'package.json'))) as { files?: string[] };
      expect(files).toContain('dist');
      if (service.database) expect(files).toContain('prisma');
    }
  });
});
