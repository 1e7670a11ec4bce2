-- The announcement names the new status too (`<order id>:<status>`), so a request waiting for a final
-- status reads the order again only when one is announced, not on every step of the saga.
CREATE OR REPLACE FUNCTION "notify_order_status"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('order_status', NEW."id"::text || ':' || NEW."status"::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
