import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const CONTRACTS = resolve(__dirname, '..');
const SCRIPT = join(CONTRACTS, 'bin', 'proto-breaking.mjs');
const env = { ...process.env, PATH: `${join(CONTRACTS, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}` };
const sh = promisify(execFile);

/** `pnpm proto:breaking` on a copy of the contracts: the exit status and everything it printed. */
async function protoBreaking(cwd: string): Promise<{ code: number; output: string }> {
  return sh(process.execPath, [SCRIPT], { cwd, env }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }),
  );
}

/** The step of `npm test` that holds the protobuf contracts to what was released, and to main. */
describe('proto:breaking', () => {
  let copy: string;
  const catalogProto = () => join(copy, 'proto', 'catalog', 'v1', 'catalog.proto');
  const edit = (from: string, to: string) => {
    const text = readFileSync(catalogProto(), 'utf8');
    expect(text).toContain(from);
    writeFileSync(catalogProto(), text.replace(from, to));
  };
  const git = (...args: string[]) => sh('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args], { cwd: copy });

  beforeEach(() => {
    copy = mkdtempSync(join(tmpdir(), 'sf-proto-'));
    for (const entry of ['buf.yaml', 'proto', 'proto-baseline']) cpSync(join(CONTRACTS, entry), join(copy, entry), { recursive: true });
  });

  afterEach(() => rmSync(copy, { recursive: true, force: true }));

  it('passes for the contracts as released, and for an added field', async () => {
    await expect(protoBreaking(copy)).resolves.toMatchObject({ code: 0 });
    edit('string image_url = 7;', 'string image_url = 7;\n  string brand = 11;');

    const { code, output } = await protoBreaking(copy);

    expect(code).toBe(0);
    expect(output).toContain('no breaking change against the released contracts');
    expect(output).toContain('merge-base comparison skipped: not a git checkout');
  });

  it('fails when a released field changes its type', async () => {
    edit('string sku = 2;', 'int64 sku = 2;');

    const { code, output } = await protoBreaking(copy);

    expect(code).toBe(1);
    expect(output).toMatch(
      /catalog\/v1\/catalog\.proto.*Field "2" with name "sku" on message "Product" changed type from "string" to "int64"/,
    );
  });

  it('fails when a branch removes a field that main added after the release', async () => {
    await git('init', '--quiet', '--initial-branch=main');
    edit('string image_url = 7;', 'string image_url = 7;\n  string brand = 11;');
    await git('add', '.');
    await git('commit', '--quiet', '-m', 'main adds Product.brand');
    await git('switch', '--quiet', '-c', 'feature');
    edit('\n  string brand = 11;', '');

    const { code, output } = await protoBreaking(copy);

    // Not released yet, so the image has nothing to say; main has it, so the merge base does.
    expect(output).toContain('no breaking change against the released contracts');
    expect(output).toMatch(/Previously present field "11" with name "brand" on message "Product" was deleted/);
    expect(code).toBe(1);
  });
});
