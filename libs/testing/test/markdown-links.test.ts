import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const REPO = resolve(__dirname, '..', '..', '..');
const REMARK = join(REPO, 'node_modules', 'remark-cli', 'cli.js');

/** Runs the link check of `pnpm docs:links` (same settings, .remarkrc.mjs) on a folder. */
async function checkLinks(cwd: string): Promise<{ code: number; report: string }> {
  const args = [REMARK, '--rc-path', join(REPO, '.remarkrc.mjs'), '--frail', '--quiet', '--no-stdout', '--no-color', '.'];
  return promisify(execFile)(process.execPath, args, { cwd }).then(
    ({ stderr }) => ({ code: 0, report: stderr }),
    (error: { code: number; stderr: string }) => ({ code: error.code, report: error.stderr }),
  );
}

/** `pnpm docs:links` (a step of `npm test`) fails on a Markdown link that leads nowhere. */
describe('Markdown link check', () => {
  let fixture: string;

  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(fixture, path)), { recursive: true });
    writeFileSync(join(fixture, path), content);
  };

  beforeEach(() => {
    fixture = mkdtempSync(join(tmpdir(), 'sf-links-'));
    write('README.md', '# Shop\n\n## Run it\n\nSee [the guide](docs/guide.md#set-up), [below](#run-it) and ![chart](docs/chart.svg).\n');
    write(
      'docs/guide.md',
      '# Guide\n\n## Set up\n\nBack to [the shop](../README.md#shop); [elsewhere](https://example.invalid/x) is not fetched.\n',
    );
    write('docs/chart.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
  });

  afterEach(() => rmSync(fixture, { recursive: true, force: true }));

  it('passes when every relative link and anchor resolves', async () => {
    await expect(checkLinks(fixture)).resolves.toEqual({ code: 0, report: '' });
  });

  it('fails on a missing file, a missing anchor here or in another file, and a missing image', async () => {
    write(
      'docs/broken.md',
      '# Broken\n\n[gone](missing.md), [no heading](#nowhere), [no heading there](guide.md#tear-down), ![no image](img/none.png)\n',
    );

    const { code, report } = await checkLinks(fixture);

    expect(code).toBe(1);
    expect(report).toContain('docs/broken.md');
    expect(report).toMatch(/Cannot find file `missing\.md`/);
    expect(report).toMatch(/Cannot find heading for `#nowhere`/);
    expect(report).toMatch(/Cannot find heading for `#tear-down` in `guide\.md`/);
    expect(report).toMatch(/Cannot find file `img\/none\.png`/);
    expect(report).not.toContain('README.md');
  });
});
