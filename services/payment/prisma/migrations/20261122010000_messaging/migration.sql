-- Outbox and inbox of @storefront/messaging (copy of libs/messaging/sql/messaging-tables.sql).
-- Tables of the messaging library (@storefront/messaging). Each service that publishes or consumes
-- events has them in its own database, created by one of its own migrations (a copy of this file).

-- Outgoing events, written in the same transaction as the state change they describe.
CREATE TABLE "outbox" (
    "position" BIGSERIAL NOT NULL,
    "id" UUID NOT NULL,
    "subject" VARCHAR(255) NOT NULL,
    "envelope" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("position")
);
CREATE UNIQUE INDEX "outbox_id_key" ON "outbox"("id");
-- The relay's work queue: only unpublished rows, in commit order.
CREATE INDEX "outbox_pending_idx" ON "outbox"("position") WHERE "published_at" IS NULL;

-- Wakes the relay as soon as a transaction that wrote to the outbox commits (NOTIFY is delivered on
-- commit, never for a rolled-back transaction).
CREATE FUNCTION "outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER "outbox_notify" AFTER INSERT ON "outbox" FOR EACH STATEMENT EXECUTE FUNCTION "outbox_notify"();

-- Events a consumer has applied, written in the same transaction as their effect.
CREATE TABLE "inbox" (
    "consumer" VARCHAR(255) NOT NULL,
    "event_id" UUID NOT NULL,
    "subject" VARCHAR(255) NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbox_pkey" PRIMARY KEY ("consumer", "event_id")
);
