import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { asDependencyError } from '../errors/dependency-errors';
import { recordRequestException } from '../tracing/http-server.tracing';
import { PROBLEM_CONTENT_TYPE, retryAfterOf, toProblem, type ProblemDetails } from './problem-details';

/** The request id fastify assigned (see requestIdFor in logging.ts). */
export function requestIdOf(request: FastifyRequest): string {
  return request.id;
}

/** `retryAfterSeconds` becomes Retry-After unless the reply already has one. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: ProblemDetails, retryAfterSeconds?: number): void {
  if (retryAfterSeconds !== undefined && !reply.hasHeader('retry-after')) void reply.header('retry-after', String(retryAfterSeconds));
  const body: ProblemDetails = { ...problem, instance: request.url.split('?')[0], requestId: request.id };
  // RFC 6750: a 401 names the scheme; a token that was sent but refused is an "invalid_token".
  if (problem.status === 401) {
    const refused = problem.code === 'AUTH.TOKEN_MISSING' ? '' : `, error="invalid_token", error_description="${problem.code}"`;
    void reply.header('www-authenticate', `Bearer realm="storefront"${refused}`);
  }
  void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
}

/** The one HTTP exception filter: every error leaves as application/problem+json. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    // On the request's span, if it is recorded: the filter sees every exception of a route (guards,
    // pipes and handlers alike), still inside the request's context.
    recordRequestException(exception);
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = toProblem(exception);
    if (problem.status >= 500) {
      this.logger.error({ err: exception, code: problem.code }, `${request.method} ${request.url} failed`);
    }
    sendProblem(request, reply, problem, retryAfterOf(asDependencyError(exception), problem.status));
  }
}
