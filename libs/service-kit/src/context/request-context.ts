import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the work in progress was caused by: the request or message being handled. Code that emits
 * events (the outbox) reads it, so correlation and causation ids need not be passed by hand. Trace
 * context is not here: it is OpenTelemetry's active context, which the same seams set.
 */
export interface RequestContext {
  /** The id of this request or message. */
  readonly requestId: string;
  /** Shared by everything one original request caused, across services. */
  readonly correlationId: string;
  /** The id of the request or event that caused the current work. */
  readonly causationId: string | null;
  /** The caller's CANARY_HEADER, passed on with every downstream call. */
  readonly canary?: string | undefined;
}

/**
 * A caller that sends `x-canary: always` reaches the canary version of each service while a rollout
 * runs (the mesh routes on it). Every hop passes it on, so the whole request path goes the same way.
 */
export const CANARY_HEADER = 'x-canary';

/** The header's value when it is one a route could match (short, printable), else undefined. */
export function canaryValue(value: unknown): string | undefined {
  return typeof value === 'string' && /^[\x21-\x7e]{1,64}$/.test(value) ? value : undefined;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const requestContext = {
  run<T>(context: RequestContext, work: () => T): T {
    return storage.run(context, work);
  },
  current(): RequestContext | undefined {
    return storage.getStore();
  },
};
