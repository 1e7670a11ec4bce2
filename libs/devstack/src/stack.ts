import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { applyMigrations, ensureDatabase, withDatabase } from '@storefront/persistence';
import { isPortFree } from '@storefront/testing';
import { startTraceCollector, type TraceCollector } from '@storefront/traces';
import { DevIssuer, type TokenRequest } from './dev-auth';
import { resolveNats, resolvePostgres, StackError, type Infrastructure } from './infrastructure';
import { formatLogLine } from './log-format';
import { nodeFlagsOf, PROCESS_ENV, SERVICES, type PortAssignment, type ServiceDefinition } from './services';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
/** Where `npm start` keeps embedded PostgreSQL, nats-server data and the dev issuer's key pair. */
export const DEFAULT_STATE_DIR = join(REPO_ROOT, '.stack');

export interface StackOptions {
  /** Use an embedded PostgreSQL and an own nats-server even when local servers answer. */
  readonly ownInfrastructure?: boolean;
  readonly databaseUrl?: string | undefined;
  readonly natsUrl?: string | undefined;
  /** Where embedded PostgreSQL and NATS keep their data. */
  readonly stateDir?: string;
  /** Database names are `<prefix><service>`; tests use a prefix of their own. */
  readonly databasePrefix?: string;
  /** MESSAGING_NAMESPACE of every service: prefixes subjects and streams (tests isolate with it). */
  readonly messagingNamespace?: string;
  readonly ports?: Partial<Record<string, PortAssignment>>;
  readonly logLevel?: string;
  /** Extra environment per service name, over the stack's own (tests shorten timeouts with it). */
  readonly env?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Where process output goes; `null` drops it. */
  readonly output?: ((service: string, line: string) => void) | null;
  readonly log?: (message: string) => void;
  readonly readyTimeoutMs?: number;
  /** Signs the access tokens every process trusts; `npm start` keeps one in `<stateDir>/dev-auth.json`. */
  readonly issuer?: DevIssuer;
  /**
   * Where the processes' spans go: an in-memory trace collector and viewer started with the stack
   * (`collectorPort` 0: any free port), an OTLP/HTTP `endpoint` of yours, or 'off'. Unset: as
   * OTEL_EXPORTER_OTLP_ENDPOINT in this environment says.
   */
  readonly tracing?: { readonly collectorPort: number } | { readonly endpoint: string } | 'off';
  /** Node flags after the service's own (nodeFlagsOf) for every service process (a benchmark's A/B of a flag; a later V8 flag wins). */
  readonly extraNodeFlags?: readonly string[];
}

export interface RunningService {
  readonly definition: ServiceDefinition;
  /** The last lines it printed, to explain a failed start. */
  readonly recentOutput: string[];
  readonly ports: PortAssignment;
  readonly url: string;
  readonly databaseUrl?: string;
  process: ChildProcess;
}

export interface StackHandle {
  readonly postgres: Infrastructure;
  readonly nats: Infrastructure;
  readonly services: readonly RunningService[];
  readonly gatewayUrl: string;
  /** The trace collector the stack started (tracing: { collectorPort }), with every span it received. */
  readonly traces?: TraceCollector;
  service(name: string): RunningService;
  /** An access token every process of this stack accepts (a demo customer unless roles say otherwise). */
  token(request: TokenRequest): Promise<string>;
  /**
   * Starts a service again after it stopped or was killed, and waits until it is ready. `env`
   * adds variables for this start only (an experiment changes a setting; the next restart without
   * it goes back to the stack's own).
   */
  restart(name: string, options?: { readonly env?: Readonly<Record<string, string>> }): Promise<void>;
  /** Resolves when a service exits on its own (a crash), with its name and status. */
  readonly crashed: Promise<{ name: string; code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

const COLORS = ['\x1b[35m', '\x1b[34m', '\x1b[33m', '\x1b[36m', '\x1b[32m', '\x1b[95m'];

function defaultOutput(service: string, line: string): void {
  const index = SERVICES.findIndex((definition) => definition.name === service);
  const color = process.stdout.isTTY;
  const tint = color ? (COLORS[index % COLORS.length] ?? '') : '';
  const prefix = `${tint}${service.padEnd(9)}│${color ? '\x1b[0m' : ''}`;
  process.stdout.write(`${prefix} ${formatLogLine(line, color)}\n`);
}

function runNode(script: string, cwd: string, env: NodeJS.ProcessEnv, label: string, log: (message: string) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', (line) => lines.push(line));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) {
        for (const line of lines) log(line);
        resolvePromise();
      } else {
        reject(new StackError(`${label} failed (exit ${code}):\n${lines.join('\n')}`));
      }
    });
  });
}

async function waitUntilReady(service: RunningService, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.process.exitCode !== null || service.process.signalCode !== null) {
      throw new StackError(`${service.definition.name} exited during start-up; its last lines:\n${service.recentOutput.join('\n')}`);
    }
    try {
      const response = await fetch(`${service.url}/health/ready`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 150));
  }
  throw new StackError(`${service.definition.name} was not ready within ${timeoutMs / 1000} s`);
}

async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolvePromise) => child.once('exit', () => resolvePromise()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Points every process's OTLP exporter where `tracing` says, starting the collector if asked to. */
async function startTracesFor(tracing: StackOptions['tracing'], env: NodeJS.ProcessEnv): Promise<TraceCollector | undefined> {
  if (tracing === undefined) return undefined;
  delete env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (tracing === 'off') {
    delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
    return undefined;
  }
  // Locally, spans should show up within half a second rather than the SDK's default five.
  env.OTEL_BSP_SCHEDULE_DELAY ??= '500';
  if ('endpoint' in tracing) {
    env.OTEL_EXPORTER_OTLP_ENDPOINT = tracing.endpoint;
    return undefined;
  }
  try {
    const collector = await startTraceCollector({ port: tracing.collectorPort });
    env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.otlpEndpoint;
    return collector;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new StackError(
      `port ${tracing.collectorPort} (trace viewer) is already in use: set TRACES_PORT to another port, or set ` +
        'OTEL_EXPORTER_OTLP_ENDPOINT to the collector that runs there.',
    );
  }
}

/**
 * Brings the whole system up on this machine: PostgreSQL and NATS, a database per service with its
 * migrations and seed, then every service and the gateway as separate processes, each waited for
 * until /health/ready answers. Whatever it started, stop() stops.
 */
export async function startStack(options: StackOptions = {}): Promise<StackHandle> {
  const log = options.log ?? (() => undefined);
  const output = options.output === undefined ? defaultOutput : options.output;
  const own = options.ownInfrastructure ?? false;
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  const prefix = options.databasePrefix ?? 'storefront_';

  const ports = Object.fromEntries(
    SERVICES.map((definition) => [definition.name, options.ports?.[definition.name] ?? definition.defaultPorts]),
  ) as Record<string, PortAssignment>;
  for (const [name, assignment] of Object.entries(ports)) {
    for (const port of [assignment.http, assignment.grpc].filter((value) => value !== undefined)) {
      if (!(await isPortFree(port))) {
        throw new StackError(`port ${port} (${name}) is already in use: is another \`npm start\` running? Stop it first.`);
      }
    }
  }

  const started: Infrastructure[] = [];
  const running: RunningService[] = [];
  let traces: TraceCollector | undefined;
  const stopAll = async () => {
    await Promise.all(running.map((service) => stopProcess(service.process)));
    await traces?.close();
    for (const infrastructure of started.reverse()) await infrastructure.stop().catch(() => undefined);
  };

  try {
    const reservedPorts = new Set(
      Object.values(ports).flatMap((assignment) => [assignment.http, ...(assignment.grpc === undefined ? [] : [assignment.grpc])]),
    );
    const postgres = await resolvePostgres({ databaseUrl: options.databaseUrl, own, stateDir, log, reservedPorts });
    started.push(postgres);
    log(`PostgreSQL: ${postgres.description}`);
    const nats = await resolveNats({ natsUrl: options.natsUrl, own, stateDir, reservedPorts });
    started.push(nats);
    log(`NATS: ${nats.description}`);

    const issuer = options.issuer ?? (await DevIssuer.persistent(stateDir));
    const commonEnv: NodeJS.ProcessEnv = {
      ...PROCESS_ENV,
      ...process.env,
      ...issuer.env(),
      NODE_ENV: process.env.NODE_ENV ?? 'development',
      LOG_LEVEL: options.logLevel ?? process.env.LOG_LEVEL ?? 'info',
      NATS_URL: nats.url,
      MESSAGING_NAMESPACE: options.messagingNamespace ?? '',
      HOST: '127.0.0.1',
    };
    delete commonEnv.DATABASE_URL;
    delete commonEnv.PORT;
    traces = await startTracesFor(options.tracing, commonEnv);

    const databases = new Map<string, string>();
    for (const definition of SERVICES.filter((candidate) => candidate.database)) {
      const cwd = join(REPO_ROOT, definition.dir);
      const databaseUrl = withDatabase(postgres.url, `${prefix}${definition.database}`);
      databases.set(definition.name, databaseUrl);
      if (await ensureDatabase(databaseUrl)) log(`created database ${prefix}${definition.database}`);
      const result = await applyMigrations({ databaseUrl, migrationsDir: join(cwd, 'prisma', 'migrations') });
      log(`${definition.name}: ${result.applied.length} migration(s) applied, ${result.alreadyApplied.length} already in place`);
      if (definition.seed) {
        await runNode(definition.seed, cwd, { ...commonEnv, DATABASE_URL: databaseUrl }, `${definition.name} seed`, log);
      }
    }

    let reportCrash: (value: { name: string; code: number | null; signal: NodeJS.Signals | null }) => void = () => undefined;
    const crashed = new Promise<{ name: string; code: number | null; signal: NodeJS.Signals | null }>((resolvePromise) => {
      reportCrash = resolvePromise;
    });
    let stopping = false;

    const launch = (definition: ServiceDefinition, env: NodeJS.ProcessEnv, recentOutput: string[]): ChildProcess => {
      const child = spawn(process.execPath, [...nodeFlagsOf(definition), ...(options.extraNodeFlags ?? []), 'dist/main.js'], {
        cwd: join(REPO_ROOT, definition.dir),
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream }).on('line', (line) => {
          recentOutput.push(line);
          if (recentOutput.length > 30) recentOutput.shift();
          output?.(definition.name, line);
        });
      }
      child.once('exit', (code, signal) => {
        // A terminal's Ctrl-C reaches the services and us at once; give our own handler a moment
        // to mark the stop as intended before calling an exit a crash.
        setTimeout(() => {
          if (!stopping && running.find((service) => service.process === child)) {
            reportCrash({ name: definition.name, code, signal });
          }
        }, 250);
      });
      return child;
    };
    const environments = new Map<string, NodeJS.ProcessEnv>();

    for (const definition of SERVICES) {
      const assignment = ports[definition.name] as PortAssignment;
      const databaseUrl = databases.get(definition.name);
      const env: NodeJS.ProcessEnv = {
        ...commonEnv,
        [definition.httpPortVariable ?? 'HTTP_PORT']: String(assignment.http),
        ...(assignment.grpc === undefined ? {} : { GRPC_PORT: String(assignment.grpc) }),
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        ...definition.env?.(ports),
        ...options.env?.[definition.name],
      };
      environments.set(definition.name, env);
      const recentOutput: string[] = [];
      running.push({
        definition,
        recentOutput,
        ports: assignment,
        url: `http://127.0.0.1:${assignment.http}`,
        ...(databaseUrl ? { databaseUrl } : {}),
        process: launch(definition, env, recentOutput),
      });
    }

    await Promise.all(running.map((service) => waitUntilReady(service, options.readyTimeoutMs ?? 60_000)));

    const byName = (name: string) => {
      const found = running.find((service) => service.definition.name === name);
      if (!found) throw new Error(`no service named ${name}`);
      return found;
    };
    return {
      postgres,
      nats,
      services: running,
      gatewayUrl: byName('gateway').url,
      ...(traces ? { traces } : {}),
      service: byName,
      token: (request) => issuer.token(request),
      restart: async (name, restartOptions) => {
        const service = byName(name);
        await stopProcess(service.process);
        const env = { ...(environments.get(name) ?? commonEnv), ...restartOptions?.env };
        service.process = launch(service.definition, env, service.recentOutput);
        await waitUntilReady(service, options.readyTimeoutMs ?? 60_000);
      },
      crashed,
      stop: async () => {
        stopping = true;
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
