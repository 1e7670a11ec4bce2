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

/**
 * How long a Prisma interactive transaction may wait for a pooled connection before it gives up
 * (Prisma's `maxWait`, 2 s by default). Twenty reservations of one hot SKU on a pool of five queue
 * behind each other's row locks; 2 s failed them under load although nothing was wrong. Waiting is
 * bounded by the callers' own deadlines; a pool that stays exhausted still fails, and consumers
 * retry it as an outage.
 */
export const TRANSACTION_MAX_WAIT_MS = 10_000;
