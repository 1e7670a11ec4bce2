import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MESSAGING_TABLES_SQL } from '../src';

const SERVICES_DIR = join(__dirname, '..', '..', '..', 'services');
const statements = (sql: string) =>
  sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .trim();

/** Each service's copy of the messaging tables migration is the library's SQL, unchanged. */
describe('the messaging tables in every service', () => {
  const services = readdirSync(SERVICES_DIR).filter((name) => {
    try {
      return readdirSync(join(SERVICES_DIR, name, 'prisma', 'migrations')).length > 0;
    } catch {
      return false;
    }
  });

  it.each(services)('%s applies exactly libs/messaging/sql/messaging-tables.sql', (service) => {
    const migrations = join(SERVICES_DIR, service, 'prisma', 'migrations');
    const copies = readdirSync(migrations).filter((folder) => folder.endsWith('_messaging'));
    expect(copies).toHaveLength(1);
    const copy = readFileSync(join(migrations, copies[0] as string, 'migration.sql'), 'utf8');
    expect(statements(copy)).toBe(statements(MESSAGING_TABLES_SQL));
  });
});
