-- The intent to authorize (PENDING) is stored before the provider is called, with the payment id as
-- the provider's idempotency key; the provider's answer is recorded afterwards.

-- AlterEnum (PostgreSQL 12+ allows this in a transaction; the value is not used below)
ALTER TYPE "payment_status" ADD VALUE 'PENDING' BEFORE 'AUTHORIZED';

-- AlterTable
ALTER TABLE "payments" ADD COLUMN "authorized_at" TIMESTAMPTZ(3),
ADD COLUMN "decline_message" VARCHAR(500);

-- Payments stored before this migration were authorized when they have an amount and did not fail.
UPDATE "payments" SET "authorized_at" = "created_at"
WHERE "amount_minor" IS NOT NULL AND "status" IN ('AUTHORIZED', 'CAPTURED', 'VOIDED');

-- Their holds, as the provider's records would show them (the key of a payment is its id).
INSERT INTO "provider_authorizations" ("idempotency_key", "reference", "status", "amount_minor", "currency", "created_at", "updated_at")
SELECT "id"::text, "order_id"::text,
       CASE "status" WHEN 'AUTHORIZED' THEN 'held' WHEN 'CAPTURED' THEN 'captured' ELSE 'voided' END,
       "amount_minor", "currency", "created_at", "updated_at"
FROM "payments" WHERE "authorized_at" IS NOT NULL
ON CONFLICT DO NOTHING;

-- Not expressible in the Prisma schema; the Payment aggregate enforces the same rule.
ALTER TABLE "payments" ADD CONSTRAINT "payments_authorized_check"
    CHECK ("authorized_at" IS NOT NULL OR "status"::text NOT IN ('AUTHORIZED', 'CAPTURED'));
