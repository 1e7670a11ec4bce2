import { DomainError } from '@storefront/ddd';

/** A refusal the client may retry later; the gateway sends `retryAfterSeconds` as Retry-After. */
export abstract class RetryLaterError extends DomainError {
  readonly kind = 'unavailable';

  protected constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** The circuit to a downstream is open: it failed repeatedly, so calls are refused without trying. */
export class CircuitOpenError extends RetryLaterError {
  readonly code = 'DOWNSTREAM.CIRCUIT_OPEN';

  constructor(downstream: string, retryAfterSeconds: number) {
    super(`${downstream} is failing; calls are paused, try again in ${retryAfterSeconds} s`, retryAfterSeconds);
  }
}

/** Every slot for calls to a downstream, and its queue, is taken. */
export class DownstreamOverloadedError extends RetryLaterError {
  readonly code = 'DOWNSTREAM.OVERLOADED';

  constructor(downstream: string) {
    super(`too many calls to ${downstream} at once; try again shortly`, 1);
  }
}
