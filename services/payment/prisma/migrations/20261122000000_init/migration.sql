-- CreateEnum
CREATE TYPE "payment_status" AS ENUM ('AUTHORIZED', 'CAPTURED', 'VOIDED', 'FAILED');

-- CreateTable
CREATE TABLE "payments" (
    "id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "status" "payment_status" NOT NULL,
    "amount_minor" INTEGER,
    "currency" CHAR(3),
    "token_last4" VARCHAR(4),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "payments_pkey" PRIMARY KEY ("id"),
    -- Not expressible in the Prisma schema; the Payment aggregate enforces the same rules.
    CONSTRAINT "payments_amount_minor_check" CHECK ("amount_minor" >= 0),
    CONSTRAINT "payments_amount_currency_check" CHECK (("amount_minor" IS NULL) = ("currency" IS NULL)),
    -- Only a tombstone (a void before any authorization) has no amount, and it is VOIDED.
    CONSTRAINT "payments_tombstone_check" CHECK ("amount_minor" IS NOT NULL OR "status" = 'VOIDED')
);

-- CreateTable
CREATE TABLE "captures" (
    "payment_id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "amount_minor" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "captured_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "captures_pkey" PRIMARY KEY ("payment_id"),
    CONSTRAINT "captures_amount_minor_check" CHECK ("amount_minor" >= 0)
);

-- CreateIndex
CREATE UNIQUE INDEX "payments_order_id_key" ON "payments"("order_id");

-- CreateIndex
CREATE UNIQUE INDEX "captures_order_id_key" ON "captures"("order_id");

-- AddForeignKey
ALTER TABLE "captures" ADD CONSTRAINT "captures_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "payments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
