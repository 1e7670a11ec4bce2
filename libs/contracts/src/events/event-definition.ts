import { type z } from 'zod';
import type { StreamDefinition } from './streams';

const SUBJECT = /^([a-z]+)\.([a-z0-9]+(?:-[a-z0-9]+)*)\.v([1-9]\d*)$/;

/**
 * An integration event: a fact one service publishes for others, on a versioned subject. A change
 * that would break a consumer of a version gets a new version, hence a new subject.
 */
export interface EventDefinition<P extends z.ZodType = z.ZodType> {
  /** `orders.order-placed.v1` */
  readonly subject: string;
  /** `orders.order-placed` */
  readonly type: string;
  readonly version: number;
  readonly stream: StreamDefinition;
  /** The service that publishes it. */
  readonly producer: string;
  readonly description: string;
  readonly payload: P;
}

export type EventPayload<D extends EventDefinition> = z.output<D['payload']>;

export function defineEvent<P extends z.ZodType>(definition: {
  /** The stream of the subject's domain, defined beside the domain's events. */
  stream: StreamDefinition;
  subject: string;
  producer: string;
  description: string;
  payload: P;
}): EventDefinition<P> {
  const match = SUBJECT.exec(definition.subject);
  if (!match) throw new Error(`Event subject ${definition.subject} is not <domain>.<event-name>.v<version>`);
  const [, domain, name, version] = match as unknown as [string, string, string, string];
  if (definition.stream.domain !== domain)
    throw new Error(
      `Event ${definition.subject} is in the ${domain} domain, but its stream ${definition.stream.name} stores ${definition.stream.domain}`,
    );
  return { ...definition, type: `${domain}.${name}`, version: Number(version) };
}
