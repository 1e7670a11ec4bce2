-- Room in the outbox's pages for the marks (@storefront/messaging, OutboxRelay). Each service with
-- the outbox has a copy of this file as one of its own migrations, after
-- messaging-publish-after-commit.sql.

-- Marking a row published writes a new version of it (not HOT: published_at is in the predicates of
-- the pending and retention indexes). With free space left in its page the new version stays there
-- and is logged as the bytes that changed; on a full page it goes elsewhere and is logged whole,
-- envelope included. Measured: 8 % less WAL per order (docs/bench.md, item 59). Applies to pages
-- written from now on.
ALTER TABLE "outbox" SET (fillfactor = 70);
