-- The simulated provider's own records (src/infrastructure/provider). A real provider keeps them on
-- its side; the simulation keeps them here so every replica and restart of payment sees one provider.
-- Written outside payment's transactions: what the provider did stays done when a command rolls back.

-- CreateTable
CREATE TABLE "provider_authorizations" (
    "idempotency_key" VARCHAR(64) NOT NULL,
    "reference" VARCHAR(64) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "amount_minor" INTEGER,
    "currency" CHAR(3),
    -- Set when the authorization was declined: the answer a replay of the key repeats.
    "decline_message" VARCHAR(500),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "provider_authorizations_pkey" PRIMARY KEY ("idempotency_key"),
    CONSTRAINT "provider_authorizations_status_check" CHECK ("status" IN ('held', 'captured', 'voided', 'declined'))
);

-- CreateIndex
CREATE INDEX "provider_authorizations_status_idx" ON "provider_authorizations"("status");
