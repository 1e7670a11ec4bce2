import { PrismaPg } from '@prisma/adapter-pg';
import { databaseConfigSchema, loadConfig } from '@storefront/service-kit';
import { PrismaClient } from '../prisma/generated/client';
import { seedCatalog } from './catalog.seed';

// `pnpm --filter @storefront/catalog db:seed`: loads the demo catalog into DATABASE_URL.
async function main(): Promise<void> {
  const { DATABASE_URL } = loadConfig(databaseConfigSchema);
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: DATABASE_URL }) });
  try {
    const added = await seedCatalog(prisma);
    process.stdout.write(`catalog seed: ${added.categories} categories and ${added.products} products added\n`);
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error('catalog seed failed:', error);
  process.exit(1);
});
