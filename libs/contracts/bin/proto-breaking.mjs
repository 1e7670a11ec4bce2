#!/usr/bin/env node
// `pnpm proto:breaking` (a step of `npm test`): `buf breaking` of libs/contracts/proto against
//   1. proto-baseline/image.json, the image of the last released contracts, committed: this check
//      needs no history, so it holds in a fresh or shallow clone and in CI;
//   2. the main branch's merge base, when git can find one (a branch may not break what main has
//      not released yet either). A shallow clone or a repository without main skips this part, and
//      says so.
// Run from libs/contracts (pnpm does). Exit status 1 when either comparison finds a breaking change.
//
//   --record            write proto-baseline/image.json from the current contracts (at a release)
//   --base <ref>        compare against this ref's merge base instead of main (PROTO_BREAKING_BASE)
//   --no-git            only the committed image
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';

const CONTRACTS = process.cwd();
const IMAGE = join('proto-baseline', 'image.json');
const { values } = parseArgs({
  options: { record: { type: 'boolean' }, base: { type: 'string' }, 'no-git': { type: 'boolean' } },
});
const say = (message) => process.stdout.write(`proto:breaking: ${message}\n`);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: CONTRACTS, encoding: 'utf8', ...options });
  if (result.error) throw result.error;
  return result;
}

function buf(args) {
  const result = run('buf', args, { stdio: 'inherit' });
  return result.status ?? 1;
}

if (values.record) {
  mkdirSync(dirname(IMAGE), { recursive: true });
  const status = buf(['build', '--exclude-source-info', '-o', IMAGE]);
  if (status !== 0) process.exit(status);
  // One field a line, so a release's change to the contracts reads as a diff.
  writeFileSync(IMAGE, `${JSON.stringify(JSON.parse(readFileSync(IMAGE, 'utf8')), null, 2)}\n`);
  say(`recorded ${IMAGE}`);
  process.exit(0);
}

let failed = false;

if (!existsSync(IMAGE)) {
  say(`${IMAGE} is missing: record the released contracts with \`pnpm --filter @storefront/contracts proto:breaking --record\``);
  process.exit(1);
}
if (buf(['breaking', '--against', IMAGE]) === 0) say(`no breaking change against the released contracts (${IMAGE})`);
else failed = true;

const git = (...args) => run('git', args);
const base = values['no-git'] ? undefined : mergeBase(values.base ?? process.env.PROTO_BREAKING_BASE);
if (base) {
  const checkout = mkdtempSync(join(tmpdir(), 'sf-proto-base-'));
  try {
    const prefix = git('rev-parse', '--show-prefix').stdout.trim(); // libs/contracts/
    const files = git('ls-tree', '-r', '--name-only', '--full-name', base.sha, '--', 'buf.yaml', 'proto')
      .stdout.split('\n')
      .filter(Boolean);
    for (const file of files) {
      const target = join(checkout, relative(prefix, file));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, git('show', `${base.sha}:${file}`).stdout);
    }
    if (!files.some((file) => file.endsWith('.proto'))) say(`the merge base with ${base.ref} has no contracts yet; nothing to compare`);
    else if (buf(['breaking', '--against', checkout]) === 0)
      say(`no breaking change against the merge base with ${base.ref} (${base.sha.slice(0, 12)})`);
    else failed = true;
  } finally {
    rmSync(checkout, { recursive: true, force: true });
  }
}

process.exit(failed ? 1 : 0);

/** The merge base of HEAD and `ref` (default: origin/main, then main), or undefined with the reason said. */
function mergeBase(ref) {
  if (git('rev-parse', '--git-dir').status !== 0) return skip('not a git checkout');
  const candidates = ref ? [ref] : ['origin/main', 'main'];
  const found = candidates.find((candidate) => git('rev-parse', '--verify', '--quiet', `${candidate}^{commit}`).status === 0);
  if (!found) return skip(`no ${candidates.join(' or ')} here`);
  const result = git('merge-base', 'HEAD', found);
  if (result.status !== 0) {
    const shallow = git('rev-parse', '--is-shallow-repository').stdout.trim() === 'true';
    return skip(`no merge base with ${found}${shallow ? ' (a shallow clone: `git fetch --unshallow` to check it)' : ''}`);
  }
  return { ref: found, sha: result.stdout.trim() };
}

function skip(reason) {
  say(`merge-base comparison skipped: ${reason}; the committed image was checked`);
  return undefined;
}
