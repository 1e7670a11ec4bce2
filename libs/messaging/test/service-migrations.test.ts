import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MESSAGING_MIGRATIONS } from '../src';

const SERVICES_DIR = join(__dirname, '..', '..', '..', 'services');
const statements = (sql: string) =>
  sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .trim();

/** Each service's copies of the messaging migrations are the library's SQL, unchanged. */
describe('the messaging tables in every service', () => {
  const services = readdirSync(SERVICES_DIR).filter((name) => {
    try {
      return readdirSync(join(SERVICES_DIR, name, 'prisma', 'migrations')).length > 0;
    } catch {
      return false;
    }
  });
  const cases = services.flatMap((service) => MESSAGING_MIGRATIONS.map((migration) => [service, migration.file, migration] as const));

  it.each(cases)('%s applies exactly libs/messaging/sql/%s', (service, _file, migration) => {
    const migrations = join(SERVICES_DIR, service, 'prisma', 'migrations');
    const copies = readdirSync(migrations).filter((folder) => folder.replace(/^\d+_/, '') === migration.migration);
    expect(copies).toHaveLength(1);
    const copy = readFileSync(join(migrations, copies[0] as string, 'migration.sql'), 'utf8');
    expect(statements(copy)).toBe(statements(migration.sql));
  });
});
