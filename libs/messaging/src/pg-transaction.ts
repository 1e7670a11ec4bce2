// The runner moved to @storefront/persistence (DatabaseClientModule's SqlDatabase uses it); kept
// here for code that imports it from messaging (the messaging benchmark, tests).
export { pgTransactionRunner, type PgTransaction, type PgTransactionOptions } from '@storefront/persistence';
