import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS } from '@storefront/contracts';
import { connectNats, deleteStreams, Namespace } from '@storefront/messaging';
import { dropDatabase } from '@storefront/persistence';
import { freePort } from '@storefront/testing';
import { DevIssuer, type TokenRequest } from './dev-auth';
import { SERVICES } from './services';
import { startStack, type StackHandle, type StackOptions } from './stack';

export interface TestStack extends StackHandle {
  /** Every line the processes printed, prefixed with the service name; for failure messages. */
  readonly output: string[];
  /** MESSAGING_NAMESPACE of this stack's services. */
  readonly messagingNamespace: string;
  /**
   * fetch() through the gateway with an access token: an admin's by default, a customer's with
   * `{ subject: 'alice' }`, none with `null`.
   */
  api(path: string, init?: RequestInit, as?: TokenRequest | null): Promise<Response>;
}

export const TEST_ADMIN: TokenRequest = { subject: 'ops', roles: ['admin'] };

/**
 * Gateway limits high enough that only a test about rate limiting meets them, and deadlines that a
 * busy machine (parallel test runs on two cores) does not hit by accident: tests check behaviour,
 * not timings. A service that is down still fails at once (connection refused).
 */
const TEST_GATEWAY_ENV = { RATE_LIMIT_BURST: '1000000', RATE_LIMIT_PER_SECOND: '1000000', DOWNSTREAM_TIMEOUT_MS: '10000' };
/**
 * Smaller query pools than production's 10: several stacks (Jest workers, a second test run) share
 * one PostgreSQL and its max_connections (100 by default).
 */
export const TEST_DATABASE_POOL_SIZE = '5';

/**
 * The whole system as `npm start` runs it (real processes, real PostgreSQL and NATS), on free ports,
 * with databases and a messaging namespace of its own, removed again by stop(). Every process exports
 * its spans to an in-memory collector of the stack's own (`traces`).
 */
export async function startTestStack(options: Partial<StackOptions> = {}): Promise<TestStack> {
  const output: string[] = [];
  const ports: NonNullable<StackOptions['ports']> = {};
  for (const service of SERVICES) {
    ports[service.name] = {
      http: await freePort(),
      ...(service.defaultPorts.grpc === undefined ? {} : { grpc: await freePort() }),
    };
  }
  const namespace = new Namespace(`t${randomBytes(5).toString('hex')}`);
  const env = Object.fromEntries(
    SERVICES.map((service) => [
      service.name,
      {
        ...(service.database ? { DATABASE_POOL_SIZE: TEST_DATABASE_POOL_SIZE } : {}),
        ...(service.name === 'gateway' ? TEST_GATEWAY_ENV : {}),
        ...(service.name === 'order' ? { CATALOG_TIMEOUT_MS: '10000' } : {}),
        ...options.env?.[service.name],
      },
    ]),
  );
  const stack = await startStack({
    databasePrefix: `test_${process.pid}_${randomBytes(3).toString('hex')}_`,
    messagingNamespace: namespace.prefix,
    databaseUrl: process.env.TEST_DATABASE_URL,
    ports,
    logLevel: 'info',
    output: (service, line) => output.push(`${service}: ${line}`),
    issuer: await DevIssuer.ephemeral(),
    tracing: { collectorPort: 0 },
    ...options,
    env,
  });
  const tokens = new Map<string, Promise<string>>();
  const bearer = (as: TokenRequest) => {
    const key = JSON.stringify(as);
    if (!tokens.has(key)) tokens.set(key, stack.token(as));
    return tokens.get(key) as Promise<string>;
  };
  return {
    ...stack,
    output,
    messagingNamespace: namespace.prefix,
    api: async (path, init = {}, as = TEST_ADMIN) => {
      const headers = new Headers(init.headers);
      if (as) headers.set('authorization', `Bearer ${await bearer(as)}`);
      return fetch(`${stack.gatewayUrl}${path}`, { ...init, headers });
    },
    stop: async () => {
      await stack.stop();
      if (options.ownInfrastructure === true) return;
      for (const service of stack.services) if (service.databaseUrl) await dropDatabase(service.databaseUrl);
      const nc = await connectNats(stack.nats.url, 'test-stack-cleanup');
      await deleteStreams(await jetstreamManager(nc), namespace, STREAMS);
      await nc.close();
    },
  };
}
