import { parseArgs } from 'node:util';
import { printTrace, serveTraces, tracesPortFromEnv } from '@storefront/traces';
import { DevIssuer } from './dev-auth';
import { StackError } from './infrastructure';
import { SERVICES, type PortAssignment } from './services';
import { DEFAULT_STATE_DIR, REPO_ROOT, startStack, type StackHandle } from './stack';

const say = (message: string) => process.stdout.write(`\x1b[36m[storefront]\x1b[0m ${message}\n`);

function usage(): never {
  process.stderr.write(
    'usage: pnpm stack up [--own-infra]\n' +
      '  --own-infra   embedded PostgreSQL and an own nats-server, even when local ones answer\n' +
      '                (same as STOREFRONT_OWN_INFRA=1)\n' +
      '       pnpm stack token [customer-id] [--admin] [--ttl seconds]\n' +
      '                prints an access token the local stack accepts (default: customer alice, 1 h)\n' +
      '       pnpm stack jwks\n' +
      '                prints the public keys of that token issuer as a JSON Web Key Set (deploy/kind/up.sh\n' +
      '                gives them to the kind cluster)\n' +
      '       pnpm stack trace [trace-id] [--hops]\n' +
      '                prints a trace of the running stack as a waterfall (default: the latest gateway request;\n' +
      '                --hops: requests, calls and messages only, no database spans)\n' +
      '       pnpm stack collector [--port n]\n' +
      '                only the trace collector and viewer (TRACES_PORT, default 4318)\n',
  );
  process.exit(2);
}

function printReady(stack: StackHandle, startedAt: number): void {
  const rows = stack.services.map((service) => [
    service.definition.name,
    `${service.ports.http}${service.ports.grpc ? ` / gRPC ${service.ports.grpc}` : ''}`,
    'ready',
    service.url,
  ]);
  const header = ['service', 'port', 'health', 'url'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => `  ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('   ')}`;
  const gateway = stack.gatewayUrl.replace('127.0.0.1', 'localhost');
  const text = [
    '',
    `Storefront is ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s.`,
    '',
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
    '',
    `  PostgreSQL: ${stack.postgres.description}`,
    `  NATS:       ${stack.nats.description}`,
    `  Traces:     ${stack.traces ? `${stack.traces.url.replace('127.0.0.1', 'localhost')}  (viewer; each gateway answer names its trace in x-trace-id)` : `exported to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'nowhere'}`}`,
    '',
    'Try:',
    `  curl -s '${gateway}/api/products?limit=5'`,
    `  curl -s '${gateway}/api/products?category=books&sort=-price'`,
    `  curl -s '${gateway}/api/categories'`,
    `  open ${gateway}/docs            (OpenAPI: ${gateway}/docs-json)`,
    ...(stack.traces ? [`  npm run -s trace                          (the latest request's trace as a waterfall)`] : []),
    '',
    'Orders need a customer token (admin routes an admin token):',
    `  TOKEN=$(npm run -s token -- alice)`,
    `  curl -s -H "authorization: Bearer $TOKEN" '${gateway}/api/orders'`,
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
  process.stdout.write(text);
}

function portFromEnv(variable: string): number | undefined {
  const value = process.env[variable];
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    process.stderr.write(`\x1b[31m[storefront]\x1b[0m ${variable} must be a port number, got "${value}"\n`);
    process.exit(2);
  }
  return port;
}

/** PORT moves the gateway; <SERVICE>_HTTP_PORT and <SERVICE>_GRPC_PORT move a service. */
function portsFromEnv(): Record<string, PortAssignment> {
  const ports: Record<string, PortAssignment> = {};
  for (const service of SERVICES) {
    const prefix = service.name.toUpperCase();
    const http = (service.name === 'gateway' ? portFromEnv('PORT') : undefined) ?? portFromEnv(`${prefix}_HTTP_PORT`);
    const grpc = portFromEnv(`${prefix}_GRPC_PORT`);
    ports[service.name] = {
      http: http ?? service.defaultPorts.http,
      ...(service.defaultPorts.grpc === undefined ? {} : { grpc: grpc ?? service.defaultPorts.grpc }),
    };
  }
  return ports;
}

async function up(args: string[]): Promise<void> {
  const startedAt = Date.now();
  const ownInfrastructure = args.includes('--own-infra') || process.env.STOREFRONT_OWN_INFRA === '1';
  let stack: StackHandle | undefined;
  let stopping = false;
  const stop = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await stack?.stop();
    // Exit only once the line is out: writes to a pipe are asynchronous and exit() would drop it.
    process.stdout.write('\x1b[36m[storefront]\x1b[0m stopped; nothing left running.\n', () => process.exit(exitCode));
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGHUP', () => void stop(0));

  say(`starting ${SERVICES.map((service) => service.name).join(', ')} from ${REPO_ROOT}`);
  try {
    stack = await startStack({
      ownInfrastructure,
      databaseUrl: process.env.DATABASE_URL,
      natsUrl: process.env.NATS_URL,
      log: say,
      ports: portsFromEnv(),
      // Spans go to the stack's own viewer unless they are meant for a collector of yours.
      ...(process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? {} : { tracing: { collectorPort: tracesPortFromEnv() } }),
      ...(process.env.STOREFRONT_STATE_DIR ? { stateDir: process.env.STOREFRONT_STATE_DIR } : {}),
    });
  } catch (error) {
    if (stopping) return;
    const message = error instanceof StackError ? error.message : ((error as Error).stack ?? String(error));
    process.stderr.write(`\x1b[31m[storefront]\x1b[0m ${message}\n`);
    process.exit(1);
  }
  if (stopping) return;
  printReady(stack, startedAt);
  const crash = await stack.crashed;
  if (stopping) return;
  process.stderr.write(
    `\x1b[31m[storefront]\x1b[0m ${crash.name} exited unexpectedly (${crash.signal ?? `code ${crash.code}`}); ` +
      'the rest keeps running. Ctrl-C to stop.\n',
  );
}

/** Signs a token with the key `npm start` makes every process trust (`<state dir>/dev-auth.json`). */
async function token(args: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { admin: { type: 'boolean' }, ttl: { type: 'string' } } });
  } catch {
    usage();
  }
  const admin = parsed.values.admin ?? false;
  const subject = parsed.positionals[0] ?? (admin ? 'admin' : 'alice');
  const ttl = Number(parsed.values.ttl ?? 3600);
  if (parsed.positionals.length > 1 || !/^[\w-]{1,64}$/.test(subject) || !Number.isInteger(ttl) || ttl < 1) usage();
  const issuer = await DevIssuer.persistent(process.env.STOREFRONT_STATE_DIR ?? DEFAULT_STATE_DIR);
  process.stdout.write(`${await issuer.token({ subject, roles: admin ? ['admin'] : ['customer'], expiresInSeconds: ttl })}\n`);
}

/** The public half of the `token` command's key pair, which a cluster trusts as AUTH_JWKS. */
async function jwks(): Promise<void> {
  const issuer = await DevIssuer.persistent(process.env.STOREFRONT_STATE_DIR ?? DEFAULT_STATE_DIR);
  process.stdout.write(`${issuer.env().AUTH_JWKS}\n`);
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'up') void up(rest);
else if (command === 'token') void token(rest);
else if (command === 'jwks') void jwks();
else if (command === 'trace') void printTrace(rest).then((code) => process.exit(code));
else if (command === 'collector') void serveTraces(rest);
else usage();
