#!/usr/bin/env node
// Database tasks for a service, run from the service's folder:
//   sf-db migrate   create the database named by DATABASE_URL if missing, then apply prisma/migrations
'use strict';
const path = require('node:path');
const { applyMigrations, ensureDatabase, databaseName } = require('../dist/index.js');

async function main() {
  const [command, dirArg] = process.argv.slice(2);
  const databaseUrl = process.env.DATABASE_URL;
  if (command !== 'migrate') {
    console.error('usage: sf-db migrate [migrations-dir]');
    process.exit(2);
  }
  if (!databaseUrl) {
    console.error('sf-db: DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/storefront_catalog)');
    process.exit(2);
  }
  const migrationsDir = path.resolve(dirArg ?? 'prisma/migrations');
  const name = databaseName(databaseUrl);
  if (await ensureDatabase(databaseUrl)) console.log(`sf-db: created database ${name}`);
  const result = await applyMigrations({ databaseUrl, migrationsDir, log: (m) => console.log(`sf-db: ${m}`) });
  console.log(`sf-db: ${name} is up to date (${result.applied.length} applied, ${result.alreadyApplied.length} already applied)`);
}

main().catch((error) => {
  console.error(`sf-db: ${error.message}`);
  process.exit(1);
});
