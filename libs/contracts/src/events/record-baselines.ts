import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAsyncApiDocuments } from './asyncapi';
import { findBreakingChanges } from './compatibility';
import { envelopeJsonSchema } from './json-schema';
import { INTEGRATION_EVENTS } from './registry';

const ROOT = join(__dirname, '..', '..');
/** One JSON Schema per recorded event version, `<subject>.json`; test/events.test.ts compares against them. */
export const BASELINE_DIR = join(ROOT, 'events-baseline');
/** One AsyncAPI document per producing service, `<producer>.json`. */
export const ASYNCAPI_DIR = join(ROOT, 'asyncapi');

/**
 * `pnpm --filter @storefront/contracts events:record`: writes asyncapi/<producer>.json, and records the schema of
 * each event version not yet recorded under events-baseline/. A recorded version is never rewritten:
 * a change that breaks it needs a new version (a new subject).
 */
function main(): void {
  mkdirSync(BASELINE_DIR, { recursive: true });
  let failed = false;
  for (const event of INTEGRATION_EVENTS) {
    const file = join(BASELINE_DIR, `${event.subject}.json`);
    const schema = envelopeJsonSchema(event);
    if (existsSync(file)) {
      const problems = findBreakingChanges(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>, schema);
      for (const problem of problems) process.stderr.write(`${event.subject} ${problem}\n`);
      failed ||= problems.length > 0;
      continue;
    }
    writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
    process.stdout.write(`recorded ${event.subject}\n`);
  }
  mkdirSync(ASYNCAPI_DIR, { recursive: true });
  const documents = buildAsyncApiDocuments();
  for (const stale of readdirSync(ASYNCAPI_DIR).filter((file) => !documents.has(file.replace(/\.json$/, ''))))
    rmSync(join(ASYNCAPI_DIR, stale));
  for (const [producer, document] of documents) {
    const file = join(ASYNCAPI_DIR, `${producer}.json`);
    const text = `${JSON.stringify(document, null, 2)}\n`;
    if (existsSync(file) && readFileSync(file, 'utf8') === text) continue;
    writeFileSync(file, text);
    process.stdout.write(`wrote ${file}\n`);
  }
  if (failed) {
    process.stderr.write('Breaking changes above: publish them as a new version (a new subject) instead.\n');
    process.exit(1);
  }
}

if (require.main === module) main();
