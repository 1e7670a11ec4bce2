-- One timeline entry per fact of an order: a reply sent again (its first one was lost) repeats a fact
-- under a new event id, and the entry of the earliest one is kept, whatever order they arrive in.
DELETE FROM "order_history_timeline" t USING "order_history_timeline" u
WHERE t."order_id" = u."order_id" AND t."type" = u."type"
  AND (u."occurred_at", u."event_id") < (t."occurred_at", t."event_id");

-- AlterTable
ALTER TABLE "order_history_timeline" DROP CONSTRAINT "order_history_timeline_pkey",
ADD CONSTRAINT "order_history_timeline_pkey" PRIMARY KEY ("order_id", "type");
