import { type z } from 'zod';
import { STREAMS, type StreamDefinition } from './streams';

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
  subject: string;
  producer: string;
  description: string;
  payload: P;
}): EventDefinition<P> {
  const match = SUBJECT.exec(definition.subject);
  if (!match) throw new Error(`Event subject ${definition.subject} is not <domain>.<event-name>.v<version>`);
  const [, domain, name, version] = match as unknown as [string, string, string, string];
  const stream = STREAMS.find((candidate) => candidate.domain === domain);
  if (!stream) throw new Error(`No stream stores the ${domain} domain (subject ${definition.subject})`);
  return { ...definition, type: `${domain}.${name}`, version: Number(version), stream };
}
