-- Why a reservation was released: the answer a commit that arrives afterwards is refused with.
-- AlterTable
ALTER TABLE "reservations" ADD COLUMN "release_reason" VARCHAR(500);
