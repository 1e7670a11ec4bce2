-- The order history read model (CQRS query side), projected from orders, inventory, payment and
-- catalog events only. Rebuilt from the event history by `pnpm projection:rebuild order-history`.

-- CreateTable
CREATE TABLE "order_history" (
    "order_id" UUID NOT NULL,
    "customer_id" VARCHAR(64),
    "status" VARCHAR(32) NOT NULL,
    "status_rank" INTEGER NOT NULL,
    "status_reason" VARCHAR(500),
    "payment_status" VARCHAR(16),
    "payment_rank" INTEGER NOT NULL DEFAULT 0,
    "total_minor" INTEGER,
    "currency" CHAR(3),
    "lines" JSONB,
    "placed_at" TIMESTAMPTZ(3),
    "last_event_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "order_history_pkey" PRIMARY KEY ("order_id")
);

-- CreateTable
CREATE TABLE "order_history_timeline" (
    "event_id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "type" VARCHAR(64) NOT NULL,
    "detail" VARCHAR(500),

    CONSTRAINT "order_history_timeline_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "order_history_products" (
    "product_id" UUID NOT NULL,
    "sku" VARCHAR(32) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "last_event_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "order_history_products_pkey" PRIMARY KEY ("product_id")
);

-- CreateIndex
CREATE INDEX "order_history_customer_id_placed_at_order_id_idx" ON "order_history"("customer_id", "placed_at" DESC, "order_id" DESC);

-- CreateIndex
CREATE INDEX "order_history_placed_at_order_id_idx" ON "order_history"("placed_at" DESC, "order_id" DESC);

-- CreateIndex
CREATE INDEX "order_history_timeline_order_id_occurred_at_idx" ON "order_history_timeline"("order_id", "occurred_at");
