export { applyMigrations, type MigrationResult } from './migrator';
export { ensureDatabase, dropDatabase, databaseName, redactUrl, withDatabase } from './database-admin';
export { withConnection } from './connection';
export { asOneStatement, type SqlStatement } from './statement';
export { asTransaction, clientOf, TRANSACTION_MAX_WAIT_MS } from './transaction';
export { DatabaseClientModule, SqlDatabase, type DatabaseClient, type DatabaseClientOptions } from './database-client.module';
export { executeLater, pgTransactionRunner, type PgTransaction, type PgTransactionOptions, type SqlClient } from './pg-transaction';
