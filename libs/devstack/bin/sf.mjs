#!/usr/bin/env node
// Entry point of the root scripts (`npm start`, `npm test`, `npm run setup`). Runs on any Node >= 20
// with npm, and brings what the project needs before handing over:
//   1. Node 24 (the project's runtime) unless the running node already is 24.9+: fetched from the npm
//      registry as the `node-<os>-<arch>` package into .tools/node-v24;
//   2. pnpm 12 unless one is on PATH: fetched as the `pnpm` package into .tools/pnpm;
//   3. dependencies (`pnpm install --frozen-lockfile`), generated code (Prisma clients, gRPC types)
//      and the compiled packages, skipped when nothing they are made from has changed.
// Set STOREFRONT_NO_FETCH=1 to forbid any download (it then fails if Node 24 or pnpm 12 is missing).
// Deliberately dependency-free: nothing is installed when it first runs.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, constants as osConstants } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TOOLS = join(ROOT, '.tools');
const NODE_MAJOR = 24;
const NODE_MIN_MINOR = 9; // Jest needs require(esm) from vm modules, which landed in 24.9.
const PNPM_MAJOR = 12;
const IS_WINDOWS = process.platform === 'win32';
const noFetch = process.env.STOREFRONT_NO_FETCH === '1';

const say = (message) => process.stderr.write(`\x1b[36m[storefront]\x1b[0m ${message}\n`);
const fail = (message) => {
  process.stderr.write(`\x1b[31m[storefront]\x1b[0m ${message}\n`);
  process.exit(1);
};

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: ROOT, shell: IS_WINDOWS, ...options });
  if (result.error) fail(`could not run ${command}: ${result.error.message}`);
  return result.status ?? 1;
}

function capture(command, args, env = process.env) {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: ROOT, env, shell: IS_WINDOWS });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function nodeIsSuitable(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major === NODE_MAJOR && minor >= NODE_MIN_MINOR;
}

/** Re-runs this script under Node 24, fetching it first when needed. Never returns. */
function reexecUnderNode24() {
  const prefix = join(TOOLS, `node-v${NODE_MAJOR}`);
  const binDir = IS_WINDOWS ? prefix : join(prefix, 'bin');
  const nodeBin = join(binDir, IS_WINDOWS ? 'node.exe' : 'node');
  const installed = existsSync(nodeBin) ? capture(nodeBin, ['--version']) : undefined;
  if (!installed || !nodeIsSuitable(installed)) {
    if (noFetch)
      fail(`Node ${NODE_MAJOR}.${NODE_MIN_MINOR}+ is required (running ${process.version}) and STOREFRONT_NO_FETCH=1 forbids fetching it.`);
    const os = { linux: 'linux', darwin: 'darwin', win32: 'win' }[process.platform];
    if (!os || !['x64', 'arm64'].includes(process.arch))
      fail(`no Node ${NODE_MAJOR} package for ${process.platform}-${process.arch}; install Node ${NODE_MAJOR} yourself.`);
    say(`running on Node ${process.version}; fetching Node ${NODE_MAJOR} into .tools/ (once)`);
    const status = run('npm', [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `node-${os}-${process.arch}@${NODE_MAJOR}`,
    ]);
    if (status !== 0 || !existsSync(nodeBin)) fail('fetching Node failed; install Node 24 yourself and run again.');
  }
  const child = spawn(nodeBin, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, PATH: `${binDir}${IS_WINDOWS ? ';' : ':'}${process.env.PATH}` },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (osConstants.signals[signal] ?? 1) : 1)));
  return new Promise(() => undefined);
}

/** The pnpm 12 to use: the one running us, one on PATH, or one fetched into .tools/pnpm. */
function findPnpm() {
  const candidates = ['pnpm'];
  const local = join(TOOLS, 'pnpm', IS_WINDOWS ? 'pnpm.cmd' : join('bin', 'pnpm'));
  if (existsSync(local)) candidates.unshift(local);
  for (const candidate of candidates) {
    const version = capture(candidate, ['--version']);
    if (version && Number(version.split('.')[0]) === PNPM_MAJOR) return candidate;
  }
  if (noFetch) fail(`pnpm ${PNPM_MAJOR} is required and STOREFRONT_NO_FETCH=1 forbids fetching it.`);
  say(`fetching pnpm ${PNPM_MAJOR} into .tools/ (once)`);
  const status = run('npm', [
    'install',
    '--global',
    '--prefix',
    join(TOOLS, 'pnpm'),
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    `pnpm@${PNPM_MAJOR}`,
  ]);
  if (status !== 0 || !capture(local, ['--version'])) fail('fetching pnpm failed; install pnpm 12 yourself and run again.');
  return local;
}

/** A hash of everything generated code and builds are made from. */
function sourceFingerprint() {
  const hash = createHash('sha256');
  const skip = new Set(['node_modules', 'dist', 'generated', '.tools', '.git', '.stack', 'coverage', 'reports']);
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (skip.has(entry.name)) {
        // Outputs count by their presence, so deleting one triggers a rebuild.
        if (entry.name === 'dist' || entry.name === 'generated') hash.update(`has:${relative(ROOT, path)}\n`);
        continue;
      }
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|proto|prisma|json|ya?ml|sql|cjs|mjs)$|^\.swcrc$/.test(entry.name)) {
        const stat = statSync(path);
        hash.update(`${relative(ROOT, path)}:${stat.size}:${stat.mtimeMs}\n`);
      }
    }
  };
  for (const dir of ['libs', 'services', 'gateway', 'loadtests']) if (existsSync(join(ROOT, dir))) walk(join(ROOT, dir));
  for (const file of ['pnpm-lock.yaml', '.swcrc']) hash.update(readFileSync(join(ROOT, file)));
  return hash.digest('hex');
}

function prepare(pnpm) {
  const env = {
    ...process.env,
    // Scripts call `pnpm` and `node` by name: make both the ones chosen here.
    PATH: [dirname(process.execPath), pnpm === 'pnpm' ? undefined : dirname(pnpm), process.env.PATH]
      .filter(Boolean)
      .join(IS_WINDOWS ? ';' : ':'),
    // `prisma generate` never runs the schema engine, but Prisma 7 downloads it unless told where
    // one is; offline machines cannot fetch it. See DEVELOPERS.md.
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  };
  if (run(pnpm, ['install', '--frozen-lockfile', '--reporter=append-only'], { env }) !== 0) fail('pnpm install failed.');
  const stampFile = join(TOOLS, 'build-stamp');
  const fingerprint = sourceFingerprint();
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === fingerprint) return env;
  say('generating code and building packages');
  if (run(pnpm, ['run', 'generate'], { env }) !== 0) fail('code generation failed.');
  if (run(pnpm, ['run', 'build'], { env }) !== 0) fail('build failed.');
  mkdirSync(TOOLS, { recursive: true });
  writeFileSync(stampFile, sourceFingerprint());
  return env;
}

// The stack's benchmarks start the whole stack, so they live with it in devstack. `stack` is the
// one table of issue 12 (it runs the messaging benchmark too).
const BENCHES = {
  stack: ['--filter', '@storefront/devstack', 'run', 'bench'],
  messaging: ['--filter', '@storefront/messaging', 'run', 'bench'],
  gateway: ['--filter', '@storefront/devstack', 'run', 'bench:gateway'],
  products: ['--filter', '@storefront/devstack', 'run', 'bench:products'],
  pg: ['--filter', '@storefront/devstack', 'run', 'bench:pg'],
};

const TASKS = {
  setup: () => [],
  // The stack runs under this Node directly, not under pnpm, so Ctrl-C reaches one process tree
  // that waits for every service to stop.
  start: () => [{ node: [join(ROOT, 'libs', 'devstack', 'dist', 'cli.js'), 'up', ...process.argv.slice(3)] }],
  // Benchmarks print numbers; `bench` prints the one table of every figure, `bench <name>` one benchmark.
  bench: () =>
    [process.argv[3] ?? 'stack'].map(
      (name) => BENCHES[name] ?? fail(`no benchmark named ${name}; there are: ${Object.keys(BENCHES).join(', ')}`),
    ),
  // The whole gate: what CI runs and what `pnpm check` means. The static checks first, as many at a
  // time as there are cores, longest first (each is one process, mostly single-threaded: about a
  // minute one after another on the 2-core machine), then the tests, which use every core themselves.
  test: () => [
    {
      parallel: [
        ['run', 'lint'],
        ['run', 'typecheck'],
        ['run', 'format:check'],
        ['run', 'knip'],
        ['run', 'arch'],
        ['run', 'docs:links'],
        ['run', 'proto:lint'],
        ['run', 'proto:breaking'],
      ],
    },
    ['run', 'jest', ...process.argv.slice(3)],
  ],
};

/**
 * Runs pnpm steps with at most `width` at a time, each step's output held and printed whole when it
 * ends (so that two steps' lines never mix); resolves with the first failing step's exit code, or 0,
 * after all of them ran (a failure in one does not hide another's).
 */
async function runSideBySide(pnpm, steps, env, width) {
  const queue = [...steps];
  const running = new Set();
  // A terminal's Ctrl-C reaches the steps directly; a signal sent to us is passed on. Either way no
  // further step starts.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    process.on(signal, () => {
      queue.length = 0;
      running.forEach((child) => child.kill(signal));
    });
  // Colours as on a terminal when ours is one (the steps write to a pipe).
  const stepEnv = process.stderr.isTTY && !('FORCE_COLOR' in env) ? { ...env, FORCE_COLOR: '1' } : env;
  let failed = 0;
  const next = async () => {
    for (let step = queue.shift(); step; step = queue.shift()) {
      const started = performance.now();
      const child = spawn(pnpm, step, { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT, env: stepEnv, shell: IS_WINDOWS });
      running.add(child);
      const output = [];
      child.stdout.on('data', (chunk) => output.push(chunk));
      child.stderr.on('data', (chunk) => output.push(chunk));
      const code = await new Promise((resolve) => child.on('close', (status, signal) => resolve(status ?? (signal ? 130 : 1))));
      running.delete(child);
      say(
        `pnpm ${step.join(' ')}: ${code === 0 ? 'passed' : `failed (exit code ${code})`} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      process.stderr.write(Buffer.concat(output));
      if (code !== 0 && failed === 0) failed = code;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, width) }, next));
  return failed;
}

async function main() {
  const task = process.argv[2];
  if (!(task in TASKS)) fail(`usage: sf.mjs ${Object.keys(TASKS).join('|')}`);
  if (!nodeIsSuitable(process.version)) return reexecUnderNode24();
  const pnpm = findPnpm();
  const env = prepare(pnpm);
  for (const step of TASKS[task]()) {
    if (step.parallel) {
      const width = Math.min(step.parallel.length, availableParallelism());
      say(`${step.parallel.map((each) => each.slice(1).join(' ')).join(', ')}: ${width} at a time`);
      const code = await runSideBySide(pnpm, step.parallel, env, width);
      if (code !== 0) process.exit(code);
      continue;
    }
    if (task === 'test') say(`pnpm ${step.join(' ')}`);
    const child = Array.isArray(step)
      ? spawn(pnpm, step, { stdio: 'inherit', cwd: ROOT, env, shell: IS_WINDOWS })
      : spawn(process.execPath, step.node, { stdio: 'inherit', cwd: ROOT, env });
    // The terminal's Ctrl-C reaches the child directly; a SIGTERM sent to us is passed on.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
    const code = await new Promise((resolve) => child.on('exit', (status, signal) => resolve(status ?? (signal ? 130 : 1))));
    if (code !== 0) process.exit(code);
  }
}

await main();
