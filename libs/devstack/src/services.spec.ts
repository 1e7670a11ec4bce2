import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_FLAGS, PROCESS_ENV } from './services';

const dockerfile = () => readFileSync(join(__dirname, '..', '..', '..', 'deploy', 'docker', 'Dockerfile'), 'utf8');

describe('NODE_FLAGS', () => {
  it('are the flags the image starts every service with too', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile())?.[1];
    expect(JSON.parse(cmd ?? '[]')).toEqual(['node', ...NODE_FLAGS, 'dist/main.js']);
  });

  it('are the flags `pnpm bench messaging` runs the event backbone with, as a service runs it', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'messaging', 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts.bench).toBe(['node', ...NODE_FLAGS, 'dist/bench/messaging.bench.js'].join(' '));
  });
});

describe('PROCESS_ENV', () => {
  it('is set by the image too', () => {
    const set = Object.fromEntries([...dockerfile().matchAll(/^ENV (\w+)=(\S+)$/gm)].map((match) => [match[1], match[2]]));
    for (const [variable, value] of Object.entries(PROCESS_ENV)) expect(set[variable]).toBe(value);
  });
});
