import { Injectable } from '@nestjs/common';
import type { Transaction } from '@storefront/ddd';
import type { SqlClient } from '@storefront/persistence';
import type { ReserveOutcome, StockRepository } from '../../domain/inventory.repository';
import type { ReservationLines } from '../../domain/reservation-lines.value-object';
import type { StockChange, StockLevel } from '../../domain/stock-level.value-object';
import { sqlOf } from './prisma-unit-of-work';
import { PrismaService } from './prisma.service';

/** A changed row; pg reads the bigint version as text. */
type StockRow = StockLevel & { version: string | bigint };

const LEVEL = { sku: true, available: true, reserved: true, sold: true } as const;
const CHANGED = 'RETURNING "sku", "available", "reserved", "sold", "version"';

const CREATE = `INSERT INTO "stock" ("sku", "available", "version", "created_at", "updated_at")
  VALUES ($1, $2::int, 1, now(), now()) ON CONFLICT ("sku") DO NOTHING ${CHANGED}`;

// Quantities are compared as bigint so an absurd quantity is simply short instead of an integer overflow.
const RESERVE = `UPDATE "stock"
  SET "available" = "available" - $2::bigint, "reserved" = "reserved" + $2::bigint, "version" = "version" + 1, "updated_at" = now()
  WHERE "sku" = $1 AND "available" >= $2::bigint ${CHANGED}`;

const COMMIT = `UPDATE "stock"
  SET "reserved" = "reserved" - $2::bigint, "sold" = "sold" + $2::bigint, "version" = "version" + 1, "updated_at" = now()
  WHERE "sku" = $1 ${CHANGED}`;

const RELEASE = `UPDATE "stock"
  SET "reserved" = "reserved" - $2::bigint, "available" = "available" + $2::bigint, "version" = "version" + 1, "updated_at" = now()
  WHERE "sku" = $1 ${CHANGED}`;

const RESTOCK = `UPDATE "stock"
  SET "available" = "available" + $2::bigint, "version" = "version" + 1, "updated_at" = now()
  WHERE "sku" = $1 ${CHANGED}`;

const AVAILABLE = 'SELECT "sku", "available" FROM "stock" WHERE "sku" = ANY($1::text[])';

function toLevel(row: StockLevel): StockLevel {
  return { sku: row.sku, available: row.available, reserved: row.reserved, sold: row.sold };
}

function toChange(row: StockRow): StockChange {
  return { ...toLevel(row), version: Number(row.version) };
}

/**
 * Stock counters in PostgreSQL. Every change is one conditional UPDATE on the SKU's row: the row
 * lock serialises concurrent changes, the WHERE clause refuses to take more than is there, and the
 * CHECK constraints of the table refuse any counter below zero whatever the code does. Each change
 * also adds one to the row's `version` under that lock, numbering the SKU's changes. Changes run on
 * the service's plain pg transactions (see prisma-unit-of-work.ts); reads outside one on Prisma.
 */
@Injectable()
export class PrismaStockRepository implements StockRepository {
  constructor(private readonly prisma: PrismaService) {}

  async find(sku: string): Promise<StockLevel | null> {
    const row = await this.prisma.stock.findUnique({ where: { sku }, select: LEVEL });
    return row && toLevel(row);
  }

  async findMany(skus: readonly string[]): Promise<StockLevel[]> {
    if (skus.length === 0) return [];
    const rows = await this.prisma.stock.findMany({ where: { sku: { in: [...skus] } }, select: LEVEL });
    return rows.map(toLevel);
  }

  async create(sku: string, available: number, tx: Transaction): Promise<StockChange | null> {
    const [row] = await sqlOf(tx).$queryRawUnsafe<StockRow[]>(CREATE, sku, available);
    return row ? toChange(row) : null;
  }

  async reserve(lines: ReservationLines, tx: Transaction): Promise<ReserveOutcome> {
    const client = sqlOf(tx);
    // All lines or none. A short line rolls back the lines before it, and only them: the rest of
    // the transaction (the inbox row, the failure event) still commits. One line is one
    // conditional UPDATE that changes all or nothing by itself: no savepoint (two round trips).
    const savepoint = lines.items.length > 1;
    if (savepoint) await client.$executeRawUnsafe('SAVEPOINT reserve_stock');
    const levels: StockChange[] = [];
    for (const line of lines.items) {
      const [row] = await client.$queryRawUnsafe<StockRow[]>(RESERVE, line.sku, line.quantity);
      if (!row) {
        if (savepoint) {
          await client.$executeRawUnsafe('ROLLBACK TO SAVEPOINT reserve_stock');
          await client.$executeRawUnsafe('RELEASE SAVEPOINT reserve_stock');
        }
        return this.shortfall(client, lines, line.sku);
      }
      levels.push(toChange(row));
    }
    if (savepoint) await client.$executeRawUnsafe('RELEASE SAVEPOINT reserve_stock');
    return { reserved: true, levels };
  }

  async commit(lines: ReservationLines, tx: Transaction): Promise<StockChange[]> {
    return this.changeEach(COMMIT, lines, tx);
  }

  async release(lines: ReservationLines, tx: Transaction): Promise<StockChange[]> {
    return this.changeEach(RELEASE, lines, tx);
  }

  async restock(sku: string, quantity: number, tx: Transaction): Promise<StockChange | null> {
    const [row] = await sqlOf(tx).$queryRawUnsafe<StockRow[]>(RESTOCK, sku, quantity);
    return row ? toChange(row) : null;
  }

  /** Reserved units always have their stock row (a foreign key keeps it), so a missing one is a bug. */
  private async changeEach(statement: string, lines: ReservationLines, tx: Transaction): Promise<StockChange[]> {
    const client = sqlOf(tx);
    const levels: StockChange[] = [];
    for (const line of lines.items) {
      const [row] = await client.$queryRawUnsafe<StockRow[]>(statement, line.sku, line.quantity);
      if (!row) throw new Error(`stock of ${line.sku} is missing although units of it are reserved`);
      levels.push(toChange(row));
    }
    return levels;
  }

  /** Why a reservation failed: every line that cannot be served now, the one that failed first included. */
  private async shortfall(client: SqlClient, lines: ReservationLines, failedSku: string): Promise<ReserveOutcome> {
    const rows = await client.$queryRawUnsafe<{ sku: string; available: number }[]>(AVAILABLE, lines.skus);
    const available = new Map(rows.map((row) => [row.sku, row.available]));
    const shortages = lines.items
      .filter((line) => line.sku === failedSku || (available.get(line.sku) ?? 0) < line.quantity)
      .map((line) => ({ sku: line.sku, requested: line.quantity, available: available.get(line.sku) ?? 0 }));
    return { reserved: false, shortages, unknownSkus: lines.skus.filter((sku) => !available.has(sku)) };
  }
}
