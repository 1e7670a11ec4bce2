import { defineConfig } from 'prisma/config';

// The Prisma CLI's configuration. The running service does not read this file: it connects through
// @prisma/adapter-pg with the DATABASE_URL from its validated config.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/storefront_payment' },
});
