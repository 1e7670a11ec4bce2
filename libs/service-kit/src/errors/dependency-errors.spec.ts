import { DomainError } from '@storefront/ddd';
import { retryAfterOf, toProblem } from '../http/problem-details';
import { asDependencyError, classifyFailure, isTransientFailure } from './dependency-errors';

class OrderNotPayable extends DomainError {
  readonly code = 'ORDER.NOT_PAYABLE';
  readonly kind = 'conflict';

  constructor(options?: { cause: unknown }) {
    super('order cannot be paid', options);
  }
}

/** node-postgres's DatabaseError: the server's message with its SQLSTATE. */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { name: 'error', code, severity: 'FATAL' });
/** What Prisma 7 throws through @prisma/adapter-pg (shape as logged by a service during a restart). */
const prismaError = (cause: object) =>
  Object.assign(new Error('Database error'), {
    name: 'PrismaClientKnownRequestError',
    code: 'P2039',
    meta: { driverAdapterError: Object.assign(new Error('driver'), { name: 'DriverAdapterError', cause }) },
  });
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: 'connect', errno: -111 });

describe('which failures are a dependency being unavailable', () => {
  it.each([
    ['a session ended by a restart (57P01)', pgError('57P01', 'terminating connection due to administrator command')],
    ['the database starting up (57P03)', pgError('57P03', 'the database system is starting up')],
    ['too many connections (53300)', pgError('53300', 'sorry, too many clients already')],
    ['a serialization failure (40001)', pgError('40001', 'could not serialize access')],
    ['a refused connection', socketError('ECONNREFUSED')],
    ['a connection closed under a query', new Error('Connection terminated unexpectedly')],
    ['pool exhaustion', new Error('timeout exceeded when trying to connect')],
    ['Prisma wrapping 57P01', prismaError({ kind: 'postgres', code: '57P01', message: 'terminating connection' })],
    ['Prisma: database not reachable', prismaError({ kind: 'DatabaseNotReachable' })],
    ['Prisma: transaction could not start in time (P2028)', Object.assign(new Error('Transaction API error'), { code: 'P2028' })],
    ['NATS unreachable', Object.assign(new Error('timeout'), { name: 'TimeoutError' })],
  ])('%s is transient', (_name, error) => {
    expect(isTransientFailure(error)).toBe(true);
    expect(classifyFailure(error)).toBe('unavailable');
  });

  it.each([
    ['a unique violation', pgError('23505', 'duplicate key value violates unique constraint')],
    ['Prisma: a unique violation', prismaError({ kind: 'UniqueConstraintViolation', constraint: { fields: ['sku'] } })],
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'id')")],
  ])('%s is not transient', (_name, error) => {
    expect(isTransientFailure(error)).toBe(false);
    expect(classifyFailure(error)).toBe('unexpected');
  });

  it('a refusal of the domain is a refusal, also when its cause was transient', () => {
    expect(classifyFailure(new OrderNotPayable())).toBe('refused');
    expect(classifyFailure(new OrderNotPayable({ cause: socketError('ECONNRESET') }))).toBe('refused');
  });

  it('looks through causes', () => {
    expect(isTransientFailure(new Error('saving the order failed', { cause: socketError('ECONNRESET') }))).toBe(true);
  });

  it('answers a transient failure with 503 DEPENDENCY.UNAVAILABLE and Retry-After, keeping other errors as they are', () => {
    const failure = pgError('57P01', 'terminating connection due to administrator command');
    expect(toProblem(failure)).toMatchObject({ status: 503, code: 'DEPENDENCY.UNAVAILABLE' });
    expect(toProblem(failure).detail).not.toContain('administrator');
    expect(retryAfterOf(asDependencyError(failure), 503)).toBe(5);
    expect(toProblem(new TypeError('bug'))).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(toProblem(new OrderNotPayable())).toMatchObject({ status: 409, code: 'ORDER.NOT_PAYABLE' });
  });
});
