-- The version of the inventory change a row was set from (inventory.stock-changed.v1 `version`):
-- a change with a higher version is newer, whatever the events' times say.
-- AlterTable
ALTER TABLE "product_availability" ADD COLUMN "version" BIGINT;
