import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** A JSON answer serialised once, with its strong ETag: what a read view keeps for an HTTP route. */
export interface Representation {
  readonly body: string;
  readonly etag: string;
}

export function representationOf(payload: unknown): Representation {
  const body = JSON.stringify(payload);
  return { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
}

/** Whether an If-None-Match header names this ETag (or is `*`); weak comparison, as RFC 9110 asks for GET. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

/**
 * Answers 200 with the representation, or 304 without a body when the client holds it already.
 * Both carry the ETag and `cache-control`; everything else (request id, security headers, CORS)
 * comes from the hooks every response passes.
 */
export function sendRepresentation(
  request: FastifyRequest,
  reply: FastifyReply,
  representation: Representation,
  cacheControl: string,
): FastifyReply {
  void reply.header('etag', representation.etag).header('cache-control', cacheControl);
  if (matches(request.headers['if-none-match'], representation.etag)) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(representation.body);
}

/**
 * Serves `GET <url>` (a route template) from memory when `lookup` has the answer, before the
 * framework's route handler (guards, pipes, interceptors, the controller) runs; a miss goes on to
 * the handler, which answers with sendRepresentation too, so a hit and a miss carry the same bytes
 * and headers. fastify's own hooks (request id, tracing, metrics, rate limit, security headers) run
 * for both. Call it before the server listens (a provider's onModuleInit).
 */
export function serveFromMemory(
  fastify: FastifyInstance,
  url: string,
  lookup: (request: FastifyRequest) => Representation | undefined,
  cacheControl: string,
): void {
  fastify.addHook('preHandler', (request, reply, done) => {
    if (request.routeOptions.url !== url || request.method !== 'GET') return done();
    const representation = lookup(request);
    // Sending ends the request here; fastify runs no further hooks or handler after a hook replied.
    if (representation) return void sendRepresentation(request, reply, representation, cacheControl);
    done();
  });
}
