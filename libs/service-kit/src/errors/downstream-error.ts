import { DomainError, type ErrorKind, type FieldIssue } from '@storefront/ddd';

/** A downstream answered with an error, or did not answer in time. */
export class DownstreamError extends DomainError {
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    options: { cause: unknown; issues?: readonly FieldIssue[]; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** The downstream's hint when to try again (its Retry-After), passed on to the caller. */
  readonly retryAfterSeconds: number | undefined;
}
