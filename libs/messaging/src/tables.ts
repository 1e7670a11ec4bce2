import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The SQL of the messaging tables (libs/messaging/sql), in order, each with the name suffix of the
 * migration folder a service keeps its copy in (`<timestamp>_<migration>`); a test checks the copies.
 */
export const MESSAGING_MIGRATIONS: readonly { readonly migration: string; readonly file: string; readonly sql: string }[] = [
  { migration: 'messaging', file: 'messaging-tables.sql' },
  { migration: 'messaging_retention', file: 'messaging-retention.sql' },
  { migration: 'messaging_publish_after_commit', file: 'messaging-publish-after-commit.sql' },
  { migration: 'messaging_outbox_fillfactor', file: 'messaging-outbox-fillfactor.sql' },
].map((entry) => ({ ...entry, sql: readFileSync(join(__dirname, '..', 'sql', entry.file), 'utf8') }));

/** All of it at once, for tests of this library that set up throwaway databases. */
export const MESSAGING_TABLES_SQL = MESSAGING_MIGRATIONS.map((entry) => entry.sql).join('\n');
