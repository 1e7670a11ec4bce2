import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS } from '@storefront/contracts';
import { Namespace, connectNats, deleteStreams } from '@storefront/messaging';
import { dropDatabase } from '@storefront/persistence';
import { freePort } from './infrastructure';
import { SERVICES } from './services';
import { type StackHandle, type StackOptions, startStack } from './stack';

export interface TestStack extends StackHandle {
  /** Every line the processes printed, prefixed with the service name; for failure messages. */
  readonly output: string[];
  /** MESSAGING_NAMESPACE of this stack's services. */
  readonly messagingNamespace: string;
}

/**
 * The whole system as `npm start` runs it (real processes, real PostgreSQL and NATS), on free ports,
 * with databases and a messaging namespace of its own, removed again by stop().
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
  const stack = await startStack({
    databasePrefix: `test_${process.pid}_${randomBytes(3).toString('hex')}_`,
    messagingNamespace: namespace.prefix,
    databaseUrl: process.env.TEST_DATABASE_URL,
    ports,
    logLevel: 'info',
    output: (service, line) => output.push(`${service}: ${line}`),
    ...options,
  });
  return {
    ...stack,
    output,
    messagingNamespace: namespace.prefix,
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
