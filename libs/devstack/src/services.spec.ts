import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_NODE_OPTIONS, NODE_FLAGS, nodeFlagsOf, PROCESS_ENV, SERVICES } from './services';

const REPO = join(__dirname, '..', '..', '..');
const dockerfile = () => readFileSync(join(REPO, 'deploy', 'docker', 'Dockerfile'), 'utf8');
/** The image's `ENV name=value` lines. */
const imageEnv = (): Record<string, string | undefined> =>
  Object.fromEntries(
    [...dockerfile().matchAll(/^ENV (\w+)=(\S+)$/gm)].map((match): [string, string] => [match[1] as string, match[2] as string]),
  );
/** `NODE_OPTIONS` of a service's deploy/k8s/base/<name>/config.env, if it sets one. */
const deployedNodeOptions = (name: string) =>
  /^NODE_OPTIONS=(.*)$/m.exec(readFileSync(join(REPO, 'deploy', 'k8s', 'base', name, 'config.env'), 'utf8'))?.[1];

describe('NODE_FLAGS', () => {
  it('are the flags the image starts every service with too', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile())?.[1];
    expect(JSON.parse(cmd ?? '[]')).toEqual(['node', ...NODE_FLAGS, 'dist/main.js']);
  });

  it('are, with the default young generation, the flags `pnpm bench messaging` runs the event backbone with, as a service runs it', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'messaging', 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts.bench).toBe(['node', ...nodeFlagsOf(), 'dist/bench/messaging.bench.js'].join(' '));
  });
});

describe('the young generation (NODE_OPTIONS)', () => {
  it("is the image's default NODE_OPTIONS", () => {
    expect(imageEnv().NODE_OPTIONS).toBe(DEFAULT_NODE_OPTIONS);
  });

  it("is what each service's deploy/k8s config.env sets, where a service differs from the default", () => {
    const deployed = Object.fromEntries(SERVICES.map((service) => [service.name, deployedNodeOptions(service.name)]));
    expect(deployed).toEqual(Object.fromEntries(SERVICES.map((service) => [service.name, service.nodeOptions])));
    // The message-driven services differ (docs/bench.md, item 57); were none to, this would test nothing.
    expect(SERVICES.filter((service) => service.nodeOptions !== undefined).map((service) => service.name)).toEqual([
      'inventory',
      'order',
      'payment',
    ]);
  });

  it('goes ahead of NODE_FLAGS on the command line of `npm start` and the tests', () => {
    const order = SERVICES.find((service) => service.name === 'order');
    expect(nodeFlagsOf(order)).toEqual(['--max-semi-space-size=2', ...NODE_FLAGS]);
    expect(nodeFlagsOf(SERVICES.find((service) => service.name === 'gateway'))).toEqual([DEFAULT_NODE_OPTIONS, ...NODE_FLAGS]);
  });
});

describe('PROCESS_ENV', () => {
  it('is set by the image too', () => {
    const set = imageEnv();
    for (const [variable, value] of Object.entries(PROCESS_ENV)) expect(set[variable]).toBe(value);
  });
});
