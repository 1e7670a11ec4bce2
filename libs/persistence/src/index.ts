export { applyMigrations, type MigrationResult } from './migrator';
export { ensureDatabase, dropDatabase, databaseName, redactUrl, withDatabase } from './database-admin';
export { withConnection } from './connection';
export { asOneStatement, type SqlStatement } from './statement';
export { asTransaction, clientOf, TRANSACTION_MAX_WAIT_MS } from './transaction';
export { DatabaseClientModule, type DatabaseClient } from './database-client.module';
