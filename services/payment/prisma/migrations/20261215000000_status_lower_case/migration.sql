-- One casing for statuses in every service: lower snake_case, as the contracts carry them.
-- Renaming enum values keeps every row and every comparison against the enum; only the CHECK that
-- compares the status as text names the values again.
ALTER TYPE "payment_status" RENAME VALUE 'PENDING' TO 'pending';
ALTER TYPE "payment_status" RENAME VALUE 'AUTHORIZED' TO 'authorized';
ALTER TYPE "payment_status" RENAME VALUE 'CAPTURED' TO 'captured';
ALTER TYPE "payment_status" RENAME VALUE 'VOIDED' TO 'voided';
ALTER TYPE "payment_status" RENAME VALUE 'FAILED' TO 'failed';

ALTER TABLE "payments" DROP CONSTRAINT "payments_authorized_check";
ALTER TABLE "payments" ADD CONSTRAINT "payments_authorized_check"
    CHECK ("authorized_at" IS NOT NULL OR "status"::text NOT IN ('authorized', 'captured'));
