import { Injectable } from '@nestjs/common';
import type { Transaction, UnitOfWork } from '@storefront/ddd';
import type { SqlTransaction } from '@storefront/messaging';
import { clientOf, SqlDatabase, asTransaction as toTransaction, type SqlClient } from '@storefront/persistence';

/**
 * Every Transaction of this service is a plain pg one (SqlDatabase of @storefront/persistence):
 * either one this unit of work opened, or the one the messaging library opened for a consumer
 * together with its inbox row (it types it as SqlTransaction). Repositories run typed raw SQL on it.
 */
export function asTransaction(tx: SqlTransaction): Transaction {
  return toTransaction(tx);
}

/** The SQL client inside a Transaction, for repositories. */
export function sqlOf(tx: Transaction): SqlClient {
  return clientOf<SqlClient>(tx);
}

@Injectable()
export class PrismaUnitOfWork implements UnitOfWork {
  constructor(private readonly sql: SqlDatabase) {}

  run<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.sql.$transaction((tx) => work(asTransaction(tx)));
  }
}
