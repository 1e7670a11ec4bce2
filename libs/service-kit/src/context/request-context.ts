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
