-- Pruning of the messaging tables (@storefront/messaging, RetentionSweeper). Each service with the
-- outbox and inbox has a copy of this file as one of its own migrations, after messaging-tables.sql.

-- Published rows by age, for pruning.
CREATE INDEX "outbox_published_at_idx" ON "outbox"("published_at") WHERE "published_at" IS NOT NULL;
-- A consumer's rows by age, for pruning.
CREATE INDEX "inbox_consumer_processed_at_idx" ON "inbox"("consumer", "processed_at");

-- Per consumer, the time its inbox has been pruned up to. Every event published before it had been
-- acknowledged, so a consumer JetStream lost is created again reading from there, not from the start.
CREATE TABLE "inbox_horizon" (
    "consumer" VARCHAR(255) NOT NULL,
    "pruned_before" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "inbox_horizon_pkey" PRIMARY KEY ("consumer")
);
