import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const REPO = resolve(__dirname, '..', '..', '..');
const DEPCRUISE = join(REPO, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

async function cruise(cwd: string, paths: string[]): Promise<Violation[]> {
  const args = [DEPCRUISE, ...paths, '--config', join(REPO, '.dependency-cruiser.cjs'), '--output-type', 'json'];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd, maxBuffer: 64 * 1024 * 1024 }).catch(
    (error: { stdout: string }) => error,
  );
  return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

/** The rules of .dependency-cruiser.cjs, which `pnpm arch` enforces, catch what they are meant to. */
describe('architecture rules', () => {
  let fixture: string;

  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(fixture, path)), { recursive: true });
    writeFileSync(join(fixture, path), content);
  };

  beforeAll(() => {
    fixture = mkdtempSync(join(tmpdir(), 'sf-arch-'));
    write('tsconfig.json', '{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext" } }');
    write(
      'services/shop/src/domain/order.aggregate.ts',
      "import { PrismaClient } from '@prisma/client';\nexport const a = PrismaClient;\n",
    );
    write('services/shop/src/domain/cart.aggregate.ts', "import { Injectable } from '@nestjs/common';\nexport const b = Injectable;\n");
    write('services/shop/src/domain/clean.value-object.ts', "import { x } from './other.value-object';\nexport const c = x;\n");
    write('services/shop/src/domain/other.value-object.ts', 'export const x = 1;\n');
    write('services/shop/src/domain/leaky.entity.ts', "import { r } from '../infrastructure/shop.repository';\nexport const d = r;\n");
    write('services/shop/src/infrastructure/shop.repository.ts', 'export const r = 1;\n');
    write(
      'services/shop/src/application/place.handler.ts',
      "import { r } from '../infrastructure/shop.repository';\nexport const e = r;\n",
    );
    write(
      'services/shop/src/interface/peek.ts',
      "import { secret } from '../../../billing/src/domain/secret';\nexport const f = secret;\n",
    );
    write('services/billing/src/domain/secret.ts', 'export const secret = 1;\n');
    write('libs/util/src/index.ts', "export { i } from './internal';\n");
    write('libs/util/src/internal.ts', 'export const i = 1;\n');
    write('services/billing/src/interface/uses-lib.ts', "import { i } from '../../../../libs/util/src/internal';\nexport const g = i;\n");
  });

  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  it('flags each forbidden import, and only those', async () => {
    const violations = await cruise(fixture, ['services', 'libs']);
    const found = violations.map((violation) => `${violation.rule.name}: ${violation.from}`).sort();

    expect(found).toEqual(
      [
        'application-not-on-adapters: services/shop/src/application/place.handler.ts',
        'domain-depends-on-nothing-outside: services/shop/src/domain/cart.aggregate.ts',
        'domain-depends-on-nothing-outside: services/shop/src/domain/leaky.entity.ts',
        'domain-depends-on-nothing-outside: services/shop/src/domain/order.aggregate.ts',
        'domain-is-framework-free: services/shop/src/domain/cart.aggregate.ts',
        'domain-is-framework-free: services/shop/src/domain/order.aggregate.ts',
        'libs-only-through-public-entry: services/billing/src/interface/uses-lib.ts',
        'no-service-imports-another: services/shop/src/interface/peek.ts',
      ].sort(),
    );
  });

  it('finds no violation in this repository', async () => {
    await expect(cruise(REPO, ['services', 'gateway', 'libs'])).resolves.toEqual([]);
  });
});
