-- Catalog's read model of stock per SKU, fed by inventory.stock-changed.v1 (see README, Availability).
-- No foreign key to products: inventory's events may arrive before the catalog row of the product,
-- or concern a SKU the catalog has not got.
CREATE TABLE "product_availability" (
    "sku" VARCHAR(32) NOT NULL,
    "available" INTEGER NOT NULL,
    "reserved" INTEGER NOT NULL,
    "sold" INTEGER NOT NULL,
    -- occurredAt of the event the row was last set from; an older event never overwrites a newer one.
    "last_event_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "product_availability_pkey" PRIMARY KEY ("sku"),
    -- Not expressible in the Prisma schema; inventory guarantees the same.
    CONSTRAINT "product_availability_available_check" CHECK ("available" >= 0),
    CONSTRAINT "product_availability_reserved_check" CHECK ("reserved" >= 0),
    CONSTRAINT "product_availability_sold_check" CHECK ("sold" >= 0)
);

-- CreateIndex
-- max("last_event_at") is the projection's lag, read on every /health/ready and /metrics scrape.
CREATE INDEX "product_availability_last_event_at_idx" ON "product_availability"("last_event_at");
