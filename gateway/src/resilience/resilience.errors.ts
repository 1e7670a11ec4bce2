import { DomainError, type ErrorKind } from '@storefront/ddd';

/** A refusal the client may retry later; the problem filter sends `retryAfterSeconds` as Retry-After. */
export abstract class RetryLaterError extends DomainError {
  readonly kind: ErrorKind = 'unavailable';

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

/** The client used up its request budget for a route (token bucket); 429. */
export class RateLimitedError extends RetryLaterError {
  readonly code = 'EDGE.RATE_LIMITED';
  override readonly kind = 'rate_limited';

  constructor(retryAfterSeconds: number) {
    super(`too many requests; try again in ${retryAfterSeconds} s`, retryAfterSeconds);
  }
}

/** A saga participant is down: an order placed now could only be cancelled later, so none is taken. */
export class OrderingUnavailableError extends RetryLaterError {
  readonly code = 'ORDERING.UNAVAILABLE';

  constructor(readonly downstreams: readonly string[]) {
    super(
      `ordering is paused: ${downstreams.join(' and ')} ${downstreams.length > 1 ? 'are' : 'is'} unavailable; browsing still works, try again shortly`,
      5,
    );
  }
}
