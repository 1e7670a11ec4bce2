-- Numbers the changes of each SKU under its row lock; inventory.stock-changed.v1 carries it as
-- `version`, so readers keep the newest change whatever the events' times say.
-- AlterTable
ALTER TABLE "stock" ADD COLUMN "version" BIGINT NOT NULL DEFAULT 0;
