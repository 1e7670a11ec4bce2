-- Announces each change of an order's status on commit (NOTIFY is delivered only when the transaction
-- commits), so that GET /orders/:id?waitFor=… can answer the moment it happens, on any replica.
CREATE FUNCTION "notify_order_status"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('order_status', NEW."id"::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "orders_status_notify"
AFTER UPDATE OF "status" ON "orders"
FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status")
EXECUTE FUNCTION "notify_order_status"();
