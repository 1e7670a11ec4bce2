import type { Transaction } from '@storefront/ddd';

/**
 * The one way an adapter turns its open database client (a Prisma interactive transaction, or the
 * one the messaging library opened for a consumer together with the inbox row) into the opaque
 * Transaction use cases pass on. Kept in one place so the brand stays meaningful.
 */
export function asTransaction(client: object): Transaction {
  return client as unknown as Transaction;
}

/** The database client inside a Transaction; only repositories call this. */
export function clientOf<Client>(tx: Transaction): Client {
  return tx as unknown as Client;
}
