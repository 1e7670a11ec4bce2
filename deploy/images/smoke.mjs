#!/usr/bin/env node
// `pnpm images:smoke [name...]`: runs the images `pnpm images` built as the system, against a real
// PostgreSQL and NATS, the way Kubernetes will:
//   1. per service a throwaway database, migrated (and seeded, catalog) by the image's own command;
//   2. each container with a read-only root filesystem, a tmpfs /tmp, no capabilities, host
//      networking on free ports, its own messaging namespace; waits for /health/ready = 200;
//   3. one request through the gateway to the catalog (gRPC) and its seeded products;
//   4. SIGTERM (`<engine> stop`): the process must exit 0 within the grace period, saying "stopped";
//   5. removes the containers, databases and streams, and prints a table. Exits 1 on any failure.
//   DATABASE_URL  a PostgreSQL server to create the databases on (default postgresql://postgres@127.0.0.1:5432/postgres)
//   NATS_URL      NATS with JetStream (default nats://127.0.0.1:4222)
//   IMAGE_ENGINE, IMAGE_TAG, NODE_IMAGE as for `pnpm images`; IMAGE_RUN_FLAGS extra `run` flags.
// It uses the workspace's helpers (free ports, databases, streams), so it needs `npm run setup` first.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  detectEngine,
  fail,
  flagsFrom,
  imageName,
  imageSize,
  imageTag,
  megabytes,
  NODE_IMAGE,
  ROOT,
  run,
  say,
  selectImages,
  table,
} from './engine.mjs';

const MIGRATE = ['node', 'node_modules/@storefront/persistence/bin/sf-db.cjs', 'migrate'];
const SHUTDOWN_TIMEOUT_MS = 10_000;
const GRACE_SECONDS = SHUTDOWN_TIMEOUT_MS / 1000 + 5;
const READY_TIMEOUT_MS = 90_000;

const devstack = join(ROOT, 'libs', 'devstack');
if (!existsSync(join(devstack, 'dist', 'services.js'))) fail('the workspace is not built: run `npm run setup` first');
const require = createRequire(join(devstack, 'package.json'));
const { SERVICES } = require('./dist/services.js');
const { freePort } = require('@storefront/testing');
const { dropDatabase, withDatabase } = require('@storefront/persistence');
const { Namespace, connectNats, deleteStreams } = require('@storefront/messaging');
const { STREAMS } = require('@storefront/contracts');
const { jetstreamManager } = require('@nats-io/jetstream');

const engine = detectEngine({ canRun: true });
const tag = imageTag();
const selected = selectImages(process.argv.slice(2));
// A tool image (the invariant checker) is no server: it must start and answer, which --list shows.
for (const tool of selected.filter((image) => image.kind === 'tool')) {
  const name = imageName(tool.name, tag);
  if (imageSize(engine, name) === undefined) fail(`no image ${name}: run \`pnpm images\` first`);
  const result = run(engine, [
    'run',
    '--rm',
    '--read-only',
    '--cap-drop=ALL',
    '--security-opt=no-new-privileges',
    name,
    'node',
    'dist/cli.js',
    '--list',
  ]);
  if (result.status !== 0) fail(`${name}: node dist/cli.js --list exited ${result.status}: ${result.stderr}`);
  say(`${tool.name}: node dist/cli.js --list answers (${result.stdout.trim().split('\n').length} invariants)`);
}
const images = selected.filter((image) => image.kind === 'service');
if (images.length === 0) process.exit(0);
const serverUrl = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
const natsUrl = process.env.NATS_URL || 'nats://127.0.0.1:4222';
const runId = randomBytes(3).toString('hex');
const namespace = new Namespace(`smoke${runId}`);
const seconds = (since) => ((Date.now() - since) / 1000).toFixed(1);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Kubernetes' restricted pod security, as far as a single container goes; nothing may be written
// outside /tmp. Podman would otherwise mount tmpfs on /run and /var/tmp too.
const runFlags = [
  '--network=host',
  '--read-only',
  ...(engine === 'podman' ? ['--read-only-tmpfs=false'] : []),
  '--tmpfs=/tmp:rw,size=16m,mode=1777',
  '--cap-drop=ALL',
  '--security-opt=no-new-privileges',
  ...flagsFrom('IMAGE_RUN_FLAGS'),
];
const envFlags = (env) => Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);

const definitions = images.map((image) => {
  const service = SERVICES.find((candidate) => candidate.name === image.name);
  if (!service) fail(`${image.name} is not in libs/devstack/src/services.ts`);
  return { ...image, service, image: imageName(image.name, tag), container: `storefront-smoke-${runId}-${image.name}` };
});
for (const definition of definitions) {
  if (imageSize(engine, definition.image) === undefined) fail(`no image ${definition.image}: run \`pnpm images\` first`);
}

const ports = {};
for (const service of SERVICES) {
  ports[service.name] = { http: await freePort(), ...(service.defaultPorts.grpc ? { grpc: await freePort() } : {}) };
}
const databaseUrl = (service) => withDatabase(serverUrl, `smoke_${runId}_${service.database}`);

function environment({ service }) {
  return {
    HOST: '127.0.0.1',
    [service.httpPortVariable ?? 'HTTP_PORT']: String(ports[service.name].http),
    ...(ports[service.name].grpc ? { GRPC_PORT: String(ports[service.name].grpc) } : {}),
    ...(service.database
      ? { DATABASE_URL: databaseUrl(service), DATABASE_POOL_SIZE: '5', NATS_URL: natsUrl, MESSAGING_NAMESPACE: namespace.prefix }
      : {}),
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    ...service.env?.(ports),
  };
}

/** Runs a one-off command in the image (migrations, seed) under the same restrictions. */
function task(definition, command) {
  const result = run(engine, ['run', '--rm', ...runFlags, ...envFlags(environment(definition)), definition.image, ...command]);
  const output = `${result.stdout}${result.stderr}`.trim();
  if (result.status !== 0) throw new Error(`${command.join(' ')} exited ${result.status}: ${output}`);
  say(`${definition.name}: ${output.split('\n').at(-1)}`);
}

async function waitReady(definition) {
  const url = `http://127.0.0.1:${ports[definition.name].http}/health/ready`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const status = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    const state = run(engine, ['inspect', '--format', '{{.State.Running}}', definition.container]).stdout.trim();
    if (state !== 'true') throw new Error('the container exited before it was ready');
    await sleep(250);
  }
  throw new Error(`${url} did not answer 200 within ${READY_TIMEOUT_MS / 1000} s`);
}

const logsOf = (definition) => {
  const result = run(engine, ['logs', definition.container]);
  return `${result.stdout}${result.stderr}`;
};

const results = new Map(definitions.map((definition) => [definition.name, { ready: '-', stop: '-', problems: [] }]));
const problem = (definition, message) => results.get(definition.name).problems.push(message);
const started = [];

try {
  // Services before the gateway, as SERVICES lists them: order and the gateway call the catalog.
  for (const definition of definitions) {
    try {
      if (definition.service.database) {
        task(definition, MIGRATE);
        if (definition.service.seed) task(definition, ['node', definition.service.seed]);
      }
      const since = Date.now();
      const created = run(engine, [
        'run',
        '-d',
        '--name',
        definition.container,
        ...runFlags,
        ...envFlags(environment(definition)),
        definition.image,
      ]);
      if (created.status !== 0) throw new Error(`${engine} run failed: ${created.stderr.trim()}`);
      started.push(definition);
      await waitReady(definition);
      results.get(definition.name).ready = seconds(since);
      say(`${definition.name}: ready in ${seconds(since)} s`);
    } catch (error) {
      problem(definition, error.message);
      if (started.includes(definition)) say(`${definition.name} logs:\n${logsOf(definition).split('\n').slice(-20).join('\n')}`);
    }
  }

  const gateway = definitions.find((definition) => definition.name === 'gateway');
  if (gateway && results.get('gateway').problems.length === 0 && definitions.some((d) => d.name === 'catalog')) {
    const response = await fetch(`http://127.0.0.1:${ports.gateway.http}/api/products?limit=1`).catch((error) => error);
    const body = response instanceof Response ? await response.json().catch(() => ({})) : {};
    if (!(response instanceof Response) || response.status !== 200 || !body.items?.length) {
      problem(gateway, `GET /api/products through the gateway: ${response instanceof Response ? response.status : response.message}`);
    } else say(`gateway: GET /api/products?limit=1 -> 200, ${body.items[0].sku} from the catalog over gRPC`);
  }

  // The gateway first, then the services in reverse: what a rollout's drain order would be.
  for (const definition of [...started].reverse()) {
    // One that stopped by itself has been reported already.
    if (run(engine, ['inspect', '--format', '{{.State.Running}}', definition.container]).stdout.trim() !== 'true') continue;
    const since = Date.now();
    const stopped = run(engine, ['stop', '-t', String(GRACE_SECONDS), definition.container]);
    const took = seconds(since);
    results.get(definition.name).stop = took;
    const exitCode = run(engine, ['inspect', '--format', '{{.State.ExitCode}}', definition.container]).stdout.trim();
    if (stopped.status !== 0) problem(definition, `${engine} stop failed: ${stopped.stderr.trim()}`);
    else if (exitCode === '137') problem(definition, `still running ${GRACE_SECONDS} s after SIGTERM: killed (exit 137)`);
    else if (exitCode !== '0') problem(definition, `exited ${exitCode} on SIGTERM`);
    else if (!logsOf(definition).includes(`${definition.name} stopped in`)) problem(definition, 'no "stopped" line in its log');
    else say(`${definition.name}: SIGTERM -> exit 0 in ${took} s`);
  }
} finally {
  for (const definition of definitions) run(engine, ['rm', '-f', definition.container]);
  for (const definition of definitions) {
    if (definition.service.database) await dropDatabase(databaseUrl(definition.service)).catch(() => undefined);
  }
  const nc = await connectNats(natsUrl, 'images-smoke-cleanup').catch(() => undefined);
  if (nc) {
    await deleteStreams(await jetstreamManager(nc), namespace, STREAMS).catch(() => undefined);
    await nc.close();
  }
}

const baseSize = imageSize(engine, NODE_IMAGE);
const rows = definitions.map((definition) => {
  const size = imageSize(engine, definition.image);
  const result = results.get(definition.name);
  return [
    definition.image,
    megabytes(size),
    megabytes(size !== undefined && baseSize !== undefined ? size - baseSize : undefined),
    result.ready,
    result.stop,
    result.problems.length === 0 ? 'ok' : `FAILED: ${result.problems.join('; ')}`,
  ];
});
process.stdout.write(`\n${table(['image', 'size MB', 'added MB', 'ready s', 'stop s', 'result'], rows)}\n`);
if (rows.some((row) => row[5] !== 'ok')) fail('smoke test failed');
process.stdout.write(`${engine}, ${NODE_IMAGE} ${megabytes(baseSize)} MB; databases, containers and streams removed\n`);
