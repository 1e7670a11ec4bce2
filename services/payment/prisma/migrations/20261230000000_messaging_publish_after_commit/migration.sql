-- Publishing after commit (@storefront/messaging, Outbox and OutboxRelay). Each service with the
-- outbox has a copy of this file as one of its own migrations, after messaging-retention.sql.

-- Set by a transaction whose process publishes its rows itself right after the commit: the relay
-- leaves them alone until then and publishes them only if they are still unpublished.
ALTER TABLE "outbox" ADD COLUMN "relay_after" TIMESTAMPTZ(3);

-- The relay is woken only for rows that are its job from the start.
DROP TRIGGER "outbox_notify" ON "outbox";
CREATE TRIGGER "outbox_notify" AFTER INSERT ON "outbox" FOR EACH ROW WHEN (NEW."relay_after" IS NULL) EXECUTE FUNCTION "outbox_notify"();
