#!/usr/bin/env node
// `pnpm images [name...]`: builds storefront/<name>:<tag> for every service and the gateway (or the
// ones named) from deploy/docker/Dockerfile with docker, podman or buildah, then prints their sizes.
//   IMAGE_ENGINE       docker | podman | buildah (default: the first that answers)
//   IMAGE_BUILD_FLAGS  extra build flags, e.g. "--pull=never --network=host" for podman in a sandbox
//                      without a registry or container networking
//   IMAGE_TAG          the tag (default: short git sha, "-dirty" when tracked files changed)
//   NODE_IMAGE         the base image (default node:24-slim)
//   IMAGE_BUDGET_MB    most MB an image may add to the base image (default 80); more fails the build
// `pnpm images --tag` prints the tag only (deploy scripts use it to name the images they load);
// `--no-build` only measures images built before (CI builds with its own action, then checks).
// The workspace build stage is the same for every image: the first build makes it, the others take
// it from the engine's layer cache.
import {
  detectEngine,
  DOCKERFILE,
  fail,
  flagsFrom,
  imageName,
  imageSize,
  imageTag,
  megabytes,
  NODE_IMAGE,
  run,
  say,
  selectImages,
  table,
} from './engine.mjs';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  process.stdout.write('usage: pnpm images [--tag | --no-build] [catalog|inventory|order|payment|gateway|invariants ...]\n');
  process.exit(0);
}
if (args.includes('--tag')) {
  process.stdout.write(`${imageTag()}\n`);
  process.exit(0);
}
const build = !args.includes('--no-build');
const unknownOption = args.find((arg) => arg.startsWith('-') && arg !== '--no-build');
if (unknownOption) fail(`unknown option ${unknownOption} (see --help)`);
const budgetMb = Number(process.env.IMAGE_BUDGET_MB || 80);

const images = selectImages(args.filter((arg) => !arg.startsWith('-')));
const tag = imageTag();
const engine = detectEngine();
const revision = run('git', ['rev-parse', 'HEAD']).stdout.trim() || 'unknown';
const origin = run('git', ['remote', 'get-url', 'origin']).stdout.trim();
const source = /^https:\/\//.test(origin) ? origin.replace(/\.git$/, '') : '';
const extraFlags = flagsFrom('IMAGE_BUILD_FLAGS');
const engineFlags = engine === 'buildah' ? ['--layers'] : [];
const env = engine === 'docker' ? { ...process.env, DOCKER_BUILDKIT: '1' } : process.env;

if (build) say(`building ${images.map((image) => image.name).join(', ')} as storefront/<name>:${tag} with ${engine}`);
const rows = [];
let failed = false;
const baseSize = imageSize(engine, NODE_IMAGE);
for (const image of images) {
  const name = imageName(image.name, tag);
  const buildArgs = {
    SERVICE: image.name,
    VERSION: image.version,
    REVISION: revision,
    ...(source ? { SOURCE: source } : {}),
    ...(process.env.NODE_IMAGE ? { NODE_IMAGE } : {}),
  };
  const command = [
    'build',
    ...engineFlags,
    ...extraFlags,
    '-f',
    DOCKERFILE,
    ...Object.entries(buildArgs).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]),
    '-t',
    name,
    '.',
  ];
  let seconds = '-';
  if (build) {
    say(`${engine} ${command.join(' ')}`);
    const started = Date.now();
    const result = run(engine, command, { stdio: 'inherit', env });
    seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (result.status !== 0) {
      failed = true;
      rows.push([name, '-', '-', seconds, `FAILED (exit ${result.status})`]);
      continue;
    }
  }
  const size = imageSize(engine, name);
  const added = size !== undefined && baseSize !== undefined ? size - baseSize : undefined;
  const problem =
    size === undefined
      ? 'FAILED: no such image'
      : added === undefined
        ? `FAILED: no base image ${NODE_IMAGE} to compare with`
        : added >= budgetMb * 1e6
          ? `FAILED: adds ${budgetMb} MB or more`
          : undefined;
  if (problem) failed = true;
  rows.push([name, megabytes(size), megabytes(added), seconds, problem ?? 'ok']);
}

process.stdout.write(`\n${table(['image', 'size MB', `added over ${NODE_IMAGE} MB`, 'build s', 'result'], rows)}\n`);
process.stdout.write(`${NODE_IMAGE}: ${megabytes(baseSize)} MB\n`);
if (failed) fail(`some images failed (budget: less than ${budgetMb} MB over ${NODE_IMAGE})`);
