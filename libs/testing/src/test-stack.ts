import { randomBytes } from 'node:crypto';
import { SERVICES, type StackHandle, type StackOptions, startStack } from '@storefront/devstack';
import { dropDatabase } from '@storefront/persistence';
import { freePort } from './ports';

export interface TestStack extends StackHandle {
  /** Every line the processes printed, prefixed with the service name; for failure messages. */
  readonly output: string[];
}

/**
 * The whole system as `npm start` runs it (real processes, real PostgreSQL and NATS), on free ports
 * and databases of its own, dropped again by stop().
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
  const stack = await startStack({
    databasePrefix: `test_${process.pid}_${randomBytes(3).toString('hex')}_`,
    ports,
    logLevel: 'info',
    output: (service, line) => output.push(`${service}: ${line}`),
    ...options,
  });
  return {
    ...stack,
    output,
    stop: async () => {
      await stack.stop();
      const ownPostgres = options.ownInfrastructure === true;
      if (!ownPostgres) {
        for (const service of stack.services) if (service.databaseUrl) await dropDatabase(service.databaseUrl);
      }
    },
  };
}
