// What `pnpm images` and `pnpm images:smoke` share: the images, their tag and the container engine.
// Dependency-free (Node's standard library only), so `pnpm images` works on a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DOCKERFILE = 'deploy/docker/Dockerfile';
export const NODE_IMAGE = process.env.NODE_IMAGE || 'node:24-slim';
const ENGINES = ['docker', 'podman', 'buildah'];

export const say = (message) => process.stderr.write(`[images] ${message}\n`);
export function fail(message) {
  process.stderr.write(`[images] ${message}\n`);
  process.exit(1);
}

/** Runs a command to completion; never throws (status 127 when it cannot start). */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  return { status: result.error ? 127 : (result.status ?? 1), stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/**
 * Every image: each service under services/ and the gateway (kind `service`: long-running, smoke-tested
 * as the system), then the invariant checker (kind `tool`: a Job's command, libs/invariants).
 */
export function allImages() {
  const services = readdirSync(join(ROOT, 'services'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, 'services', entry.name, 'package.json')))
    .map((entry) => ({ name: entry.name, dir: `services/${entry.name}`, kind: 'service' }));
  return [
    ...services,
    { name: 'gateway', dir: 'gateway', kind: 'service' },
    { name: 'invariants', dir: 'libs/invariants', kind: 'tool' },
  ].map((image) => ({
    ...image,
    version: JSON.parse(readFileSync(join(ROOT, image.dir, 'package.json'), 'utf8')).version,
  }));
}

/** The images named on the command line (all when none), refusing unknown names. */
export function selectImages(names) {
  const images = allImages();
  const unknown = names.filter((name) => !images.some((image) => image.name === name));
  if (unknown.length > 0) fail(`no image named ${unknown.join(', ')}; there are ${images.map((i) => i.name).join(', ')}`);
  return names.length === 0 ? images : images.filter((image) => names.includes(image.name));
}

/** IMAGE_TAG, else the commit's short sha with `-dirty` when tracked files have changed. */
export function imageTag() {
  if (process.env.IMAGE_TAG) return process.env.IMAGE_TAG;
  const sha = run('git', ['rev-parse', '--short', 'HEAD']);
  if (sha.status !== 0) fail('not a git checkout: set IMAGE_TAG');
  const changes = run('git', ['status', '--porcelain', '--untracked-files=no']).stdout.trim();
  return sha.stdout.trim() + (changes ? '-dirty' : '');
}

export const imageName = (name, tag) => `storefront/${name}:${tag}`;

/**
 * IMAGE_ENGINE if set, else the first of docker, podman and buildah that answers (a docker client
 * without a reachable daemon does not count).
 */
export function detectEngine({ canRun = false } = {}) {
  const wanted = process.env.IMAGE_ENGINE;
  if (wanted && !ENGINES.includes(wanted)) fail(`IMAGE_ENGINE=${wanted}: use one of ${ENGINES.join(', ')}`);
  const candidates = (wanted ? [wanted] : ENGINES).filter((engine) => !canRun || engine !== 'buildah');
  for (const engine of candidates) {
    if (run(engine, ['info'], { stdio: 'ignore' }).status === 0) return engine;
  }
  const what = canRun ? 'docker or podman' : 'docker, podman or buildah';
  fail(wanted ? `IMAGE_ENGINE=${wanted} does not answer (\`${wanted} info\` failed)` : `no container engine answers: install ${what}`);
}

/** Extra flags from an environment variable, split on white space (e.g. IMAGE_BUILD_FLAGS). */
export const flagsFrom = (variable) => (process.env[variable] ?? '').split(/\s+/).filter(Boolean);

const UNITS = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

/** Uncompressed size of a local image in bytes, or undefined when there is no such image. */
export function imageSize(engine, image) {
  if (engine === 'buildah') {
    // buildah prints sizes for people only ("274 MB").
    const result = run('buildah', ['images', '--format', '{{.Size}}', image]);
    const match = /^([\d.]+)\s*([KMGT]?B)/.exec(result.stdout.trim());
    return result.status === 0 && match ? Number(match[1]) * UNITS[match[2]] : undefined;
  }
  const result = run(engine, ['image', 'inspect', '--format', '{{.Size}}', image]);
  return result.status === 0 ? Number(result.stdout.trim()) : undefined;
}

export const megabytes = (bytes) => (bytes === undefined ? '?' : (bytes / 1e6).toFixed(1));

/** A plain text table: a header row, then rows, columns padded to their widest cell. */
export function table(header, rows) {
  const widths = header.map((cell, i) => Math.max(String(cell).length, ...rows.map((row) => String(row[i]).length)));
  const line = (row) =>
    row
      .map((cell, i) => String(cell).padEnd(widths[i]))
      .join('   ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
