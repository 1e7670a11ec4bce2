import { defineConfig } from 'prisma/config';

// The Prisma CLI's configuration, for `prisma generate` of the benchmark's client (prisma/schema.prisma).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' },
});
