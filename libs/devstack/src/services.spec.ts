import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_FLAGS } from './services';

describe('NODE_FLAGS', () => {
  it('are the flags the image starts every service with too', () => {
    const dockerfile = readFileSync(join(__dirname, '..', '..', '..', 'deploy', 'docker', 'Dockerfile'), 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(JSON.parse(cmd ?? '[]')).toEqual(['node', ...NODE_FLAGS, 'dist/main.js']);
  });
});
