import { DomainError, type ErrorKind } from '@storefront/ddd';

/**
 * A dependency (the database, NATS) cannot be used right now; the request itself may be fine.
 * Transports answer 503 with Retry-After (gRPC UNAVAILABLE), consumers retry instead of giving up.
 */
export class DependencyUnavailableError extends DomainError {
  readonly code = 'DEPENDENCY.UNAVAILABLE';
  readonly kind = 'unavailable';
  readonly retryAfterSeconds = 5;

  constructor(options: { cause: unknown }) {
    super('A service dependency is unavailable; try again shortly', options);
  }
}

/** Kinds that say "not now" rather than "not this": retrying the same input later may succeed. */
const TRANSIENT_KINDS: ReadonlySet<ErrorKind> = new Set(['unavailable', 'timeout', 'rate_limited']);

/**
 * SQLSTATE classes and codes of failures that are the server's state, not the statement's:
 * connection exceptions (08), insufficient resources (53), operator intervention (57: admin or crash
 * shutdown, cannot connect now, query cancelled by a timeout), system errors (58), serialization
 * failures and deadlocks (40001, 40P01), lock timeouts (55P03), idle-in-transaction timeouts (25P03).
 */
const TRANSIENT_SQLSTATE = /^(08|53|57|58)|^(40001|40P01|55P03|25P03)$/;
const TRANSIENT_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/**
 * Prisma's codes for the same: cannot reach / timed out / connection closed (P1001, P1002, P1008,
 * P1017), pool timeout (P2024), transaction could not start or expired (P2028), write conflict or
 * deadlock (P2034).
 */
const TRANSIENT_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2034']);
/** Kinds of @prisma/adapter-pg's DriverAdapterError for a connection that failed. */
const TRANSIENT_ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TransactionWriteConflict',
  'TransactionAlreadyClosed',
]);
/** node-postgres and pg-pool say these in plain Errors without a code. */
const TRANSIENT_PG_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'is not queryable',
  'Cannot use a pool after calling end',
];
/** nats.js: the connection is down, closing or slow; JetStream did not answer (or has no stream). */
const TRANSIENT_NATS_ERRORS = new Set([
  'TimeoutError',
  'ClosedConnectionError',
  'DrainingConnectionError',
  'ConnectionError',
  'NoResponders',
  'RequestError',
  'JetStreamNotEnabled',
]);

function isTransientOne(error: object): boolean {
  const { code, name, message, kind } = error as { code?: unknown; name?: unknown; message?: unknown; kind?: unknown };
  if (typeof code === 'string') {
    if (TRANSIENT_SOCKET_CODES.has(code) || TRANSIENT_PRISMA_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && TRANSIENT_SQLSTATE.test(code)) return true;
  }
  if (typeof kind === 'string' && TRANSIENT_ADAPTER_KINDS.has(kind)) return true;
  if (typeof name === 'string') {
    if (TRANSIENT_NATS_ERRORS.has(name) || name === 'PrismaClientInitializationError') return true;
  }
  return typeof message === 'string' && TRANSIENT_PG_MESSAGES.some((text) => message.includes(text));
}

/** What an error wraps: `cause`, Prisma's adapter error in `meta`, a DriverAdapterError's `cause`. */
function wrapped(error: object): unknown[] {
  const { cause, meta } = error as { cause?: unknown; meta?: { driverAdapterError?: unknown } };
  return [cause, meta?.driverAdapterError];
}

/**
 * Whether an error means a dependency is unavailable for now (database down or restarting, pool
 * exhausted, serialization failure, NATS disconnected), so the same work may succeed later. Looks
 * through causes, since drivers and Prisma wrap one another; a DomainError is what its kind says.
 */
export function isTransientFailure(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending = [error];
  while (pending.length > 0 && seen.size < 10) {
    const current = pending.shift();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    // A domain error says by its kind what it is, whatever it wraps.
    if (current instanceof DomainError) return TRANSIENT_KINDS.has(current.kind);
    if (isTransientOne(current)) return true;
    pending.push(...wrapped(current));
  }
  return false;
}

/**
 * How a caller that retries (a message consumer) should treat a failure: `unavailable` (a dependency,
 * retry later), `refused` (the domain refused the input: a DomainError of another kind), or
 * `unexpected` (anything else, a bug as likely as not).
 */
export function classifyFailure(error: unknown): 'unavailable' | 'refused' | 'unexpected' {
  if (isTransientFailure(error)) return 'unavailable';
  return error instanceof DomainError ? 'refused' : 'unexpected';
}

/** The error as transports should report it: a transient infrastructure failure becomes a 503. */
export function asDependencyError(error: unknown): unknown {
  if (error instanceof DomainError || !isTransientFailure(error)) return error;
  return new DependencyUnavailableError({ cause: error });
}
