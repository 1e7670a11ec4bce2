import { Metadata, status } from '@grpc/grpc-js';
import { Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';
import { DomainError, type ErrorKind } from '@storefront/ddd';
import { asDependencyError } from '../errors/dependency-errors';

const STATUS_BY_KIND: Record<ErrorKind, status> = {
  invalid: status.INVALID_ARGUMENT,
  unauthenticated: status.UNAUTHENTICATED,
  forbidden: status.PERMISSION_DENIED,
  rate_limited: status.RESOURCE_EXHAUSTED,
  not_found: status.NOT_FOUND,
  conflict: status.FAILED_PRECONDITION,
  unavailable: status.UNAVAILABLE,
  timeout: status.DEADLINE_EXCEEDED,
};

/** Trailers that carry the stable error code and field issues to the caller (see grpc-client.ts). */
export const ERROR_CODE_TRAILER = 'error-code';
export const ERROR_ISSUES_TRAILER = 'error-issues';
/** Seconds the caller should wait before retrying an UNAVAILABLE call (HTTP's Retry-After). */
export const RETRY_AFTER_TRAILER = 'retry-after';

export interface GrpcStatusError {
  code: status;
  message: string;
  metadata: Metadata;
}

export function toGrpcStatus(thrown: unknown): GrpcStatusError {
  const metadata = new Metadata();
  const error = asDependencyError(thrown);
  if (error instanceof DomainError) {
    metadata.set(ERROR_CODE_TRAILER, error.code);
    if (error.issues.length > 0) metadata.set(ERROR_ISSUES_TRAILER, JSON.stringify(error.issues));
    const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    if (typeof retryAfter === 'number') metadata.set(RETRY_AFTER_TRAILER, String(retryAfter));
    return { code: STATUS_BY_KIND[error.kind], message: error.message, metadata };
  }
  metadata.set(ERROR_CODE_TRAILER, 'INTERNAL');
  return { code: status.INTERNAL, message: 'internal error', metadata };
}

/** The one gRPC exception filter: expected errors keep their meaning as a status code. */
@Catch()
export class GrpcStatusFilter implements RpcExceptionFilter {
  private readonly logger = new Logger('gRPC');

  catch(exception: unknown): Observable<never> {
    const grpcStatus = toGrpcStatus(exception);
    if (grpcStatus.code === status.INTERNAL) this.logger.error({ err: exception }, 'gRPC call failed');
    return throwError(() => grpcStatus);
  }
}
