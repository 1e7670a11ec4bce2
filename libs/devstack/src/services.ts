import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The processes of the local system and how each is configured, used by `npm start` and the tests.
 * The list is the folders: every `services/<name>/package.json` with a `storefront` block, then the
 * gateway. Adding a service adds its folder; nothing here changes.
 */

export interface PortAssignment {
  readonly http: number;
  readonly grpc?: number;
}

export interface ServiceDefinition {
  readonly name: string;
  /** Folder of the package, relative to the repository root. */
  readonly dir: string;
  /** Its own database (name without the stack's prefix), if it has one. */
  readonly database?: string;
  /** Seed script relative to `dir`, run after migrations; must be idempotent. */
  readonly seed?: string;
  readonly defaultPorts: PortAssignment;
  /** Environment beyond the common variables, given every service's ports. */
  readonly env?: (ports: Readonly<Record<string, PortAssignment>>) => Record<string, string>;
  /** The variable the HTTP port goes in. */
  readonly httpPortVariable?: string;
  /** V8's young generation when not DEFAULT_NODE_OPTIONS' (`NODE_OPTIONS` of its deploy/k8s config.env too). */
  readonly nodeOptions?: string;
}

/**
 * Node flags every service process runs with, here and in the image's command
 * (deploy/docker/Dockerfile): an old generation capped at 192 MB, sized to the containers' memory
 * limits (deploy/k8s: 384–512 MiB, a deploy test keeps the cap plus what lives outside the heap
 * under them). The cap is also what makes V8 collect before its old generation is a few times its
 * live size: with the default (a quarter of the machine's memory, 4 GB here) V8 lets it grow up to
 * 4× the live size before a full collection; under 256 MB it grows by at most 1.3× (docs/bench.md).
 */
export const NODE_FLAGS: readonly string[] = ['--max-old-space-size=192'];

/**
 * The young generation, sized per service: semi-spaces of 4 MB instead of V8's 16, as our processes
 * allocate much short-lived garbage per request and would otherwise each keep tens of MB more
 * resident. The message-driven services (order, inventory, payment: `storefront.nodeOptions` in
 * their package.json) take 2 MB, about 8 MB less resident each for no measurable CPU; the gateway
 * and catalog keep 4, as their product reads (ten thousand requests a second) lose a fifth of their
 * rate at 2 (docs/bench.md, items 50 and 57). In the image it is `NODE_OPTIONS` (its `ENV`, and
 * each service's deploy/k8s config.env where it differs), because the command is the same for
 * every service; here the same flags go on the command line. Tests keep the three in step.
 */
export const DEFAULT_NODE_OPTIONS = '--max-semi-space-size=4';

/** The Node flags a service process starts with, before `dist/main.js` (the image's NODE_OPTIONS, then its command's flags). */
export function nodeFlagsOf(definition?: Pick<ServiceDefinition, 'nodeOptions'>): string[] {
  return [...(definition?.nodeOptions ?? DEFAULT_NODE_OPTIONS).split(' ').filter(Boolean), ...NODE_FLAGS];
}

/**
 * Environment every service process runs with, here and in the image (its `ENV` lines): at most two
 * glibc malloc arenas, instead of up to eight per core, each thread (libuv's pool, V8's helpers)
 * otherwise keeping memory resident in an arena of its own; and a fixed trim threshold of 128 KiB,
 * glibc's default before it raises the threshold itself when a large block is freed (up to 64 MB):
 * V8 frees the zones it compiled 1,300 modules in after start-up, and free memory at the top of
 * the heap then goes back to the system instead of staying resident (docs/bench.md).
 */
export const PROCESS_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072' };

/** The `storefront` block of a package.json: how the stack runs the package. */
export interface ServiceManifest {
  readonly ports: PortAssignment;
  readonly database?: string;
  readonly seed?: string;
  readonly httpPortVariable?: string;
  /** V8 flags for NODE_OPTIONS when not DEFAULT_NODE_OPTIONS (ServiceDefinition.nodeOptions). */
  readonly nodeOptions?: string;
  /** Variables with a default; the same variable in the environment of `npm start` wins. */
  readonly env?: Readonly<Record<string, string>>;
  /** Variables that get another service's gRPC address (`host:port`), by service name. */
  readonly grpcUrls?: Readonly<Record<string, string>>;
  /** Variables that get another service's HTTP base URL, by service name. */
  readonly httpUrls?: Readonly<Record<string, string>>;
}

const ROOT = resolve(__dirname, '..', '..', '..');

function definitionOf(dir: string): ServiceDefinition | undefined {
  const file = join(ROOT, dir, 'package.json');
  if (!existsSync(file)) return undefined;
  const manifest = (JSON.parse(readFileSync(file, 'utf8')) as { storefront?: ServiceManifest }).storefront;
  if (!manifest) return undefined;
  const name = dir.split('/').at(-1) as string;
  const { grpcUrls = {}, httpUrls = {}, env = {} } = manifest;
  const needsEnv = Object.keys(grpcUrls).length + Object.keys(httpUrls).length + Object.keys(env).length > 0;
  return {
    name,
    dir,
    defaultPorts: manifest.ports,
    ...(manifest.database ? { database: manifest.database } : {}),
    ...(manifest.seed ? { seed: manifest.seed } : {}),
    ...(manifest.httpPortVariable ? { httpPortVariable: manifest.httpPortVariable } : {}),
    ...(manifest.nodeOptions ? { nodeOptions: manifest.nodeOptions } : {}),
    ...(needsEnv
      ? {
          env: (ports: Readonly<Record<string, PortAssignment>>) => ({
            ...Object.fromEntries(Object.entries(env).map(([variable, value]) => [variable, process.env[variable] ?? value])),
            ...Object.fromEntries(Object.entries(grpcUrls).map(([variable, service]) => [variable, `127.0.0.1:${ports[service]?.grpc}`])),
            ...Object.fromEntries(
              Object.entries(httpUrls).map(([variable, service]) => [variable, `http://127.0.0.1:${ports[service]?.http}`]),
            ),
          }),
        }
      : {}),
  };
}

/** Every service folder with a manifest, by name, then the gateway (it calls the others). */
export function discoverServices(root = ROOT): ServiceDefinition[] {
  const services = readdirSync(join(root, 'services'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => definitionOf(`services/${name}`))
    .filter((definition): definition is ServiceDefinition => definition !== undefined);
  const gateway = definitionOf('gateway');
  return gateway ? [...services, gateway] : services;
}

export const SERVICES: readonly ServiceDefinition[] = discoverServices();
