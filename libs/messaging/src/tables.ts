import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * SQL that creates the outbox and inbox tables (sql/messaging-tables.sql). A service puts a copy in
 * one of its own migrations; tests of this library apply it to throwaway databases.
 */
export const MESSAGING_TABLES_SQL = readFileSync(join(__dirname, '..', 'sql', 'messaging-tables.sql'), 'utf8');
