import type { ProviderHoldDto } from '@storefront/contracts';
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

/** Where the simulated provider keeps its records; never inside one of payment's transactions. */
export interface ProviderLedger {
  find(idempotencyKey: string): Promise<LedgerRecord | null>;
  /** Stores the record unless its key has one already; returns the one the key has. */
  open(record: Omit<LedgerRecord, 'createdAt'>): Promise<LedgerRecord>;
  /** Moves the key's record from `from` to `to` (nothing when it is elsewhere); returns it as it is now. */
  move(idempotencyKey: string, from: HoldStatus, to: HoldStatus): Promise<LedgerRecord | null>;
  list(status?: HoldStatus): Promise<LedgerRecord[]>;
}

/**
 * The ledger in payment's database, in a table of its own: shared by every replica and kept across
 * restarts, as a real provider's records are. Each write commits on its own (no transaction is
 * passed in), so a payment command that rolls back leaves the provider's side as it was done.
 */
export class PrismaProviderLedger implements ProviderLedger {
  constructor(private readonly prisma: PrismaService) {}

  async find(idempotencyKey: string): Promise<LedgerRecord | null> {
    return (await this.prisma.providerAuthorization.findUnique({ where: { idempotencyKey } })) as LedgerRecord | null;
  }

  async open(record: Omit<LedgerRecord, 'createdAt'>): Promise<LedgerRecord> {
    await this.prisma.providerAuthorization.createMany({ data: [record], skipDuplicates: true });
    return (await this.find(record.idempotencyKey)) as LedgerRecord;
  }

  async move(idempotencyKey: string, from: HoldStatus, to: HoldStatus): Promise<LedgerRecord | null> {
    await this.prisma.providerAuthorization.updateMany({ where: { idempotencyKey, status: from }, data: { status: to } });
    return this.find(idempotencyKey);
  }

  async list(status?: HoldStatus): Promise<LedgerRecord[]> {
    const rows = await this.prisma.providerAuthorization.findMany({
      where: status ? { status } : {},
      orderBy: [{ createdAt: 'asc' }, { idempotencyKey: 'asc' }],
    });
    return rows as LedgerRecord[];
  }
}
