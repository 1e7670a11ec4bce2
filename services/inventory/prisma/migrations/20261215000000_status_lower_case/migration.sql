-- One casing for statuses in every service: lower snake_case, as the contracts carry them.
ALTER TABLE "reservations" DROP CONSTRAINT "reservations_status_check";
UPDATE "reservations" SET "status" = lower("status") WHERE "status" <> lower("status");
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_status_check" CHECK ("status" IN ('reserved', 'committed', 'released'));
