import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const REPO = resolve(__dirname, '..', '..', '..');
const PRETTIER = join(REPO, 'node_modules', 'prettier', 'bin', 'prettier.cjs');

/** Prettier with the repository's configuration (what `pnpm format` and `pnpm format:check` use). */
async function prettier(cwd: string, ...args: string[]): Promise<{ code: number; output: string }> {
  const command = [PRETTIER, '--config', join(REPO, 'prettier.config.mjs'), ...args];
  return promisify(execFile)(process.execPath, command, { cwd }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }),
  );
}

/** `pnpm format:check` (a step of `npm test`) fails on a mis-indented block and unsorted imports. */
describe('format check', () => {
  let fixture: string;

  beforeEach(() => {
    // Inside the repository (in git-ignored .stack/), so the config's plugin resolves as it does for `pnpm format`.
    mkdirSync(join(REPO, '.stack'), { recursive: true });
    fixture = mkdtempSync(join(REPO, '.stack', 'format-test-'));
  });

  afterEach(() => rmSync(fixture, { recursive: true, force: true }));

  it('fails on a file Prettier would change, and pnpm format sorts its imports', async () => {
    const file = join(fixture, 'order.handler.ts');
    writeFileSync(
      file,
      [
        "import { OrderPlacedV1 } from '@storefront/contracts';",
        "import { Order } from './order.aggregate';",
        "import { randomUUID } from 'node:crypto';",
        "import { Injectable } from '@nestjs/common';",
        '',
        '@Injectable()',
        'export class PlaceOrderHandler {',
        '    handle(): string {',
        '  return [randomUUID(), Order.name, OrderPlacedV1.subject].join(" ");',
        '    }',
        '}',
        '',
      ].join('\n'),
    );

    const check = await prettier(fixture, '--check', '.');
    expect(check.code).toBe(1);
    expect(check.output).toContain('order.handler.ts');

    await expect(prettier(fixture, '--write', '.')).resolves.toMatchObject({ code: 0 });
    const formatted = readFileSync(file, 'utf8');
    expect(formatted.split('\n').slice(0, 4)).toEqual([
      "import { randomUUID } from 'node:crypto';",
      "import { Injectable } from '@nestjs/common';",
      "import { OrderPlacedV1 } from '@storefront/contracts';",
      "import { Order } from './order.aggregate';",
    ]);
    expect(formatted).toContain("  handle(): string {\n    return [randomUUID(), Order.name, OrderPlacedV1.subject].join(' ');\n  }");
    await expect(prettier(fixture, '--check', '.')).resolves.toMatchObject({ code: 0 });
  });
});
