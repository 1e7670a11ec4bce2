import { STATUS_CODES } from 'node:http';
import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError, type ErrorKind, type FieldIssue } from '@storefront/ddd';
import { asDependencyError } from '../errors/dependency-errors';

/** RFC 9457 problem details, with the stable error code and the request id added. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  errors?: FieldIssue[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid: HttpStatus.BAD_REQUEST,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  timeout: HttpStatus.GATEWAY_TIMEOUT,
};

function problemType(code: string): string {
  return `urn:storefront:problem:${code.toLowerCase()}`;
}

function fromStatus(status: number, detail: string, code?: string): ProblemDetails {
  const statusCode = code ?? `HTTP.${(STATUS_CODES[status] ?? 'ERROR').toUpperCase().replace(/[^A-Z]+/g, '_')}`;
  return {
    type: problemType(statusCode),
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code: statusCode,
  };
}

function httpExceptionDetail(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  if (typeof message === 'string') return message;
  return exception.message;
}

/** Fastify's own errors (bad JSON, body too large, wrong content type) carry a 4xx statusCode. */
function isFastifyClientError(error: unknown): error is Error & { statusCode: number; code: string } {
  const candidate = error as { statusCode?: unknown; code?: unknown };
  return (
    error instanceof Error &&
    typeof candidate.statusCode === 'number' &&
    candidate.statusCode >= 400 &&
    candidate.statusCode < 500 &&
    typeof candidate.code === 'string' &&
    candidate.code.startsWith('FST_')
  );
}

/** Seconds a client should wait before retrying, for a 503: the error's own hint or a default. */
const DEFAULT_RETRY_AFTER_SECONDS = 5;

export function retryAfterOf(error: unknown, status: number): number | undefined {
  const hint = (error as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
  if (typeof hint === 'number' && hint > 0) return Math.ceil(hint);
  return status === 503 ? DEFAULT_RETRY_AFTER_SECONDS : undefined;
}

/**
 * Turns any thrown value into problem details. Expected errors keep their message; a dependency
 * that is unavailable (database restarting, pool exhausted) is a 503; anything else becomes a 500
 * whose detail reveals nothing about the internals (the log has the stack).
 */
export function toProblem(thrown: unknown): ProblemDetails {
  const error = asDependencyError(thrown);
  if (error instanceof DomainError) {
    const problem = fromStatus(STATUS_BY_KIND[error.kind], error.message, error.code);
    if (error.issues.length > 0) problem.errors = [...error.issues];
    return problem;
  }
  if (error instanceof HttpException) {
    return fromStatus(error.getStatus(), httpExceptionDetail(error));
  }
  if (isFastifyClientError(error)) {
    return fromStatus(error.statusCode, error.message.replace(/^FST_\w+: /, ''));
  }
  return fromStatus(
    HttpStatus.INTERNAL_SERVER_ERROR,
    'An unexpected error occurred. The request id identifies it in the service logs.',
    'INTERNAL',
  );
}
