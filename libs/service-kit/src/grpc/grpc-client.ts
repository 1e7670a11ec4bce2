import { Metadata, status, type CallOptions, type ServiceError } from '@grpc/grpc-js';
import { lastValueFrom, type Observable } from 'rxjs';
import { DomainError, type ErrorKind, type FieldIssue } from '@storefront/ddd';
import { CANARY_HEADER, requestContext } from '../context/request-context';
import { DownstreamError } from '../errors/downstream-error';
import { REQUEST_ID_HEADER } from '../logging/logging';
import { downstreamCallDuration } from '../metrics/http-metrics';
import { startGrpcClientSpan } from '../tracing/grpc-client.tracing';
import { ERROR_CODE_TRAILER, ERROR_ISSUES_TRAILER, RETRY_AFTER_TRAILER } from './grpc-status.filter';

/**
 * A generated ts-proto client whose methods also accept grpc-js call options (the deadline). Nest's
 * gRPC proxy forwards extra arguments to grpc-js, the generated interface just does not declare them.
 */
export type GrpcClient<S> = {
  [K in keyof S]: S[K] extends (request: infer Req, metadata?: Metadata) => Observable<infer Res>
    ? (request: Req, metadata: Metadata, options: CallOptions) => Observable<Res>
    : never;
};

const KIND_BY_STATUS: Partial<Record<status, ErrorKind>> = {
  [status.INVALID_ARGUMENT]: 'invalid',
  [status.OUT_OF_RANGE]: 'invalid',
  [status.UNAUTHENTICATED]: 'unauthenticated',
  [status.PERMISSION_DENIED]: 'forbidden',
  [status.RESOURCE_EXHAUSTED]: 'rate_limited',
  [status.NOT_FOUND]: 'not_found',
  [status.ALREADY_EXISTS]: 'conflict',
  [status.FAILED_PRECONDITION]: 'conflict',
  [status.ABORTED]: 'conflict',
  [status.UNAVAILABLE]: 'unavailable',
  [status.DEADLINE_EXCEEDED]: 'timeout',
};

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number';
}

function trailer(error: ServiceError, key: string): string | undefined {
  const value = error.metadata?.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

/** Maps a failed call to an error the caller's own transport filter understands. */
export function fromGrpcError(error: unknown, downstream: string): Error {
  if (!isServiceError(error)) return error instanceof Error ? error : new Error(String(error));
  const kind = KIND_BY_STATUS[error.code];
  if (kind === 'unavailable') {
    const retryAfter = Number(trailer(error, RETRY_AFTER_TRAILER));
    return new DownstreamError('DOWNSTREAM.UNAVAILABLE', kind, `${downstream} is unavailable; try again shortly`, {
      cause: error,
      ...(retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
    });
  }
  if (kind === 'timeout') {
    return new DownstreamError('DOWNSTREAM.TIMEOUT', kind, `${downstream} did not answer in time`, { cause: error });
  }
  if (kind) {
    const issuesJson = trailer(error, ERROR_ISSUES_TRAILER);
    return new DownstreamError(trailer(error, ERROR_CODE_TRAILER) ?? `DOWNSTREAM.${status[error.code]}`, kind, error.details, {
      cause: error,
      issues: issuesJson ? (JSON.parse(issuesJson) as FieldIssue[]) : [],
    });
  }
  return new Error(`${downstream} failed: ${error.details}`, { cause: error });
}

export interface UnaryCallOptions {
  /** Name of the downstream, for error messages and metrics. */
  readonly downstream: string;
  /** The method, for metrics (e.g. "GetProductsByIds"). */
  readonly operation?: string;
  readonly timeoutMs: number;
  readonly requestId?: string | undefined;
  /** Extra metadata, e.g. the caller's `authorization` for an operation the downstream protects. */
  readonly metadata?: Readonly<Record<string, string | undefined>>;
}

/**
 * Makes one unary call with a deadline (which the server sees too), the request id and trace context
 * in metadata, a CLIENT span, and errors mapped by fromGrpcError.
 */
export async function callUnary<T>(
  invoke: (metadata: Metadata, options: CallOptions) => Observable<T>,
  options: UnaryCallOptions,
): Promise<T> {
  const metadata = new Metadata();
  if (options.requestId) metadata.set(REQUEST_ID_HEADER, options.requestId);
  const canary = requestContext.current()?.canary;
  if (canary) metadata.set(CANARY_HEADER, canary);
  for (const [key, value] of Object.entries(options.metadata ?? {})) if (value !== undefined) metadata.set(key, value);
  const stop = downstreamCallDuration().startTimer({ downstream: options.downstream, operation: options.operation ?? 'call' });
  const span = startGrpcClientSpan(options.downstream, options.operation ?? 'call', metadata);
  try {
    const response = await lastValueFrom(invoke(metadata, { deadline: Date.now() + options.timeoutMs, interceptors: span.interceptors }));
    stop({ outcome: 'ok' });
    span.end();
    return response;
  } catch (error) {
    span.end(error);
    const mapped = fromGrpcError(error, options.downstream);
    stop({ outcome: mapped instanceof DomainError ? mapped.code : 'INTERNAL' });
    throw mapped;
  }
}
