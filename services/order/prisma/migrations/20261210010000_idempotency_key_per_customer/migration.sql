-- Idempotency keys belong to a customer: the same key from another customer is a new order of
-- theirs (before, it answered 409 and so told them the key was taken).

-- AlterTable
ALTER TABLE "idempotency_keys" ADD COLUMN "customer_id" VARCHAR(64);

UPDATE "idempotency_keys" k SET "customer_id" = o."customer_id" FROM "orders" o WHERE o."id" = k."order_id";
-- A key whose order is gone cannot be replayed anyway.
DELETE FROM "idempotency_keys" WHERE "customer_id" IS NULL;

ALTER TABLE "idempotency_keys" ALTER COLUMN "customer_id" SET NOT NULL,
DROP CONSTRAINT "idempotency_keys_pkey",
ADD CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("customer_id", "key");
