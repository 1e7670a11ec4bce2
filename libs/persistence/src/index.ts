export { applyMigrations, type MigrationResult } from './migrator';
export { ensureDatabase, dropDatabase, databaseName, redactUrl, withDatabase } from './database-admin';
export { withConnection } from './connection';
export { asTransaction, clientOf } from './transaction';
export { DatabaseClientModule, type DatabaseClient } from './database-client.module';
