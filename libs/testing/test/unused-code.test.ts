import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const REPO = resolve(__dirname, '..', '..', '..');
const KNIP = join(REPO, 'node_modules', 'knip', 'bin', 'knip.js');

interface KnipIssue {
  file: string;
  files: { name: string }[];
  exports: { name: string }[];
  dependencies: { name: string }[];
}

/** Runs knip (what `pnpm knip` runs over the workspace) on a folder: exit status and issues. */
async function knip(cwd: string): Promise<{ code: number; issues: KnipIssue[] }> {
  const parse = (stdout: string) => (JSON.parse(stdout) as { issues: KnipIssue[] }).issues;
  return promisify(execFile)(process.execPath, [KNIP, '--no-progress', '--reporter', 'json'], { cwd }).then(
    ({ stdout }) => ({ code: 0, issues: parse(stdout) }),
    (error: { code: number; stdout: string }) => ({ code: error.code, issues: parse(error.stdout) }),
  );
}

/** `pnpm knip` (a step of `npm test`) fails on a file, an export or a dependency nothing uses. */
describe('unused-code check', () => {
  let fixture: string;

  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(fixture, path)), { recursive: true });
    writeFileSync(join(fixture, path), content);
  };

  beforeEach(() => {
    fixture = mkdtempSync(join(tmpdir(), 'sf-knip-'));
    write('package.json', JSON.stringify({ name: 'fixture', private: true, main: 'src/index.ts', dependencies: { 'left-pad': '1.3.0' } }));
    write('src/index.ts', "import { used } from './used';\nimport leftPad from 'left-pad';\nconsole.log(leftPad(String(used), 3));\n");
    write('src/used.ts', 'export const used = 1;\n');
  });

  afterEach(() => rmSync(fixture, { recursive: true, force: true }));

  it('passes when every file, export and dependency is used', async () => {
    await expect(knip(fixture)).resolves.toEqual({ code: 0, issues: [] });
  });

  it('fails on an unused file, export and dependency, naming each', async () => {
    write('src/index.ts', "import { used } from './used';\nconsole.log(used);\n");
    write('src/used.ts', 'export const used = 1;\nexport const forgotten = 2;\n');
    write('src/orphan.ts', 'export const orphan = 3;\n');

    const { code, issues } = await knip(fixture);

    expect(code).toBe(1);
    const found = issues.flatMap((issue) => [
      ...issue.files.map((file) => `file ${file.name}`),
      ...issue.exports.map((entry) => `export ${entry.name} in ${issue.file}`),
      ...issue.dependencies.map((dependency) => `dependency ${dependency.name}`),
    ]);
    expect(found.sort()).toEqual(['dependency left-pad', 'export forgotten in src/used.ts', 'file src/orphan.ts']);
  });
});
