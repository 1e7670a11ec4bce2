declare const transactionBrand: unique symbol;

/**
 * An open database transaction, opaque to the domain and to use cases. Adapters open it (a consumer's
 * inbox transaction, a unit of work); use cases pass it on, as the LAST argument of a port method, and
 * only the persistence adapter looks inside, so every write of one command, its events and the inbox
 * row of the message that carried it commit together or not at all.
 *
 * A brand, not `object`: only an adapter can make one (by a cast in one place), so a use case cannot
 * pass something else by mistake.
 */
export interface Transaction {
  readonly [transactionBrand]: true;
}

/** Runs work in a new transaction: commits when it resolves, rolls back when it throws. */
export interface UnitOfWork {
  run<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
}

export const UNIT_OF_WORK = Symbol('UnitOfWork');
