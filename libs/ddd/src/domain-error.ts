/**
 * What kind of failure an error is, independent of transport. Each transport maps a kind to its
 * own status (HTTP 404, gRPC NOT_FOUND, ...), so domain code never names a status code.
 */
export type ErrorKind = 'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited' | 'unavailable' | 'timeout';

/** One problem with one input field. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Base class of every expected error. `code` is stable (`CATALOG.PRODUCT_NOT_FOUND`) so clients and
 * tests can rely on it; `message` is for the person reading it.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly kind: ErrorKind;
  readonly issues: readonly FieldIssue[];

  protected constructor(message: string, options?: { cause?: unknown; issues?: readonly FieldIssue[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.issues = options?.issues ?? [];
  }
}

/** Input that breaks a rule; carries the offending fields. */
export class ValidationError extends DomainError {
  readonly code = 'VALIDATION.FAILED';
  readonly kind = 'invalid';

  constructor(message: string, issues: readonly FieldIssue[] = []) {
    super(message, { issues });
  }
}
