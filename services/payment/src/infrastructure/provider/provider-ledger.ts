import type { ProviderHoldDto } from '@storefront/contracts';
import type { SqlDatabase } from '@storefront/persistence';
import type { PrismaService } from '../prisma/prisma.service';

export type HoldStatus = ProviderHoldDto['status'];

/** The simulated provider's record of one authorization, by the idempotency key payment gave it. */
export interface LedgerRecord {
  readonly idempotencyKey: string;
  readonly reference: string;
  readonly status: HoldStatus;
  readonly amountMinor: number | null;
  readonly currency: string | null;
  /** Set for a declined (or cancelled-before-made) authorization: what a replay answers. */
  readonly declineMessage: string | null;
  readonly createdAt: Date;
}

export interface LedgerAmount {
  readonly amountMinor: number;
  readonly currency: string;
}

/** Where the simulated provider keeps its records; never inside one of payment's transactions. */
export interface ProviderLedger {
  find(idempotencyKey: string): Promise<LedgerRecord | null>;
  /** Stores the record unless its key has one already; returns the one the key has. */
  open(record: Omit<LedgerRecord, 'createdAt'>): Promise<LedgerRecord>;
  /**
   * Moves the key's record from `from` to `to` (nothing when it is elsewhere, or holds another
   * amount than `amount` when one is given); returns it as it is now.
   */
  move(idempotencyKey: string, from: HoldStatus, to: HoldStatus, amount?: LedgerAmount): Promise<LedgerRecord | null>;
  list(status?: HoldStatus): Promise<LedgerRecord[]>;
}

/** The ledger's columns as LedgerRecord names them. */
const COLUMNS =
  '"idempotency_key" AS "idempotencyKey", "reference", "status", "amount_minor" AS "amountMinor", "currency", ' +
  '"decline_message" AS "declineMessage", "created_at" AS "createdAt"';

const OPEN = `WITH "inserted" AS (
    INSERT INTO "provider_authorizations"
      ("idempotency_key", "reference", "status", "amount_minor", "currency", "decline_message", "created_at", "updated_at")
    VALUES ($1, $2, $3, $4::int, $5, $6, now(), now())
    ON CONFLICT ("idempotency_key") DO NOTHING
    RETURNING ${COLUMNS})
  SELECT * FROM "inserted"
  UNION ALL
  SELECT ${COLUMNS} FROM "provider_authorizations"
  WHERE "idempotency_key" = $1 AND NOT EXISTS (SELECT 1 FROM "inserted")`;

// The capture's amount check is in the WHERE: $4 is whether any amount is required.
const MOVE = `UPDATE "provider_authorizations" SET "status" = $3, "updated_at" = now()
  WHERE "idempotency_key" = $1 AND "status" = $2
    AND ($4::boolean OR ("amount_minor" = $5::int AND "currency" = $6))
  RETURNING ${COLUMNS}`;

/**
 * The ledger in payment's database, in a table of its own: shared by every replica and kept across
 * restarts, as a real provider's records are. Each write commits on its own (no transaction is
 * passed in), so a payment command that rolls back leaves the provider's side as it was done.
 */
export class PrismaProviderLedger implements ProviderLedger {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlDatabase,
  ) {}

  async find(idempotencyKey: string): Promise<LedgerRecord | null> {
    return (await this.prisma.providerAuthorization.findUnique({ where: { idempotencyKey } })) as LedgerRecord | null;
  }

  /*
   * open and move are one statement each (typed raw SQL, on plain pg: SqlDatabase): every order
   * asks the provider twice, and Prisma's createMany + findUnique (or updateMany + findUnique) were
   * four round trips and commits of the ledger per order. The second look only runs when the
   * statement returned no row.
   */

  async open(record: Omit<LedgerRecord, 'createdAt'>): Promise<LedgerRecord> {
    const [row] = await this.sql.$queryRawUnsafe<LedgerRecord[]>(
      OPEN,
      record.idempotencyKey,
      record.reference,
      record.status,
      record.amountMinor,
      record.currency,
      record.declineMessage,
    );
    // Nothing when a concurrent call inserted the key after this statement's snapshot: read it now.
    return row ?? ((await this.find(record.idempotencyKey)) as LedgerRecord);
  }

  async move(idempotencyKey: string, from: HoldStatus, to: HoldStatus, amount?: LedgerAmount): Promise<LedgerRecord | null> {
    const [row] = await this.sql.$queryRawUnsafe<LedgerRecord[]>(
      MOVE,
      idempotencyKey,
      from,
      to,
      amount === undefined,
      amount?.amountMinor ?? null,
      amount?.currency ?? null,
    );
    return row ?? this.find(idempotencyKey);
  }

  async list(status?: HoldStatus): Promise<LedgerRecord[]> {
    const rows = await this.prisma.providerAuthorization.findMany({
      where: status ? { status } : {},
      orderBy: [{ createdAt: 'asc' }, { idempotencyKey: 'asc' }],
    });
    return rows as LedgerRecord[];
  }
}
