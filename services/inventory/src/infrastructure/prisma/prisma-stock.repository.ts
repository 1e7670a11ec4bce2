import { Injectable } from '@nestjs/common';
import type { Transaction } from '@storefront/ddd';
import type { ReserveOutcome, StockRepository } from '../../domain/inventory.repository';
import type { ReservationLines } from '../../domain/reservation-lines.value-object';
import type { StockChange, StockLevel } from '../../domain/stock-level.value-object';
import type { Prisma } from './generated/client';
import { prismaOf } from './prisma-unit-of-work';
import { PrismaService } from './prisma.service';

type StockRow = StockLevel & { version: bigint };

const LEVEL = { sku: true, available: true, reserved: true, sold: true } as const;

function toLevel(row: StockLevel): StockLevel {
  return { sku: row.sku, available: row.available, reserved: row.reserved, sold: row.sold };
}

function toChange(row: StockRow): StockChange {
  return { ...toLevel(row), version: Number(row.version) };
}

/**
 * Stock counters in PostgreSQL. Every change is one conditional UPDATE on the SKU's row: the row
 * lock serialises concurrent changes, the WHERE clause refuses to take more than is there, and the
 * CHECK constraints of the table refuse any counter below zero whatever the code does. Quantities
 * are compared as bigint so an absurd quantity is simply short instead of an integer overflow.
 * Each change also adds one to the row's `version` under that lock, numbering the SKU's changes.
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
    const [row] = await prismaOf(tx).stock.createManyAndReturn({
      data: [{ sku, available, version: 1 }],
      skipDuplicates: true,
      select: { ...LEVEL, version: true },
    });
    return row ? toChange(row) : null;
  }

  async reserve(lines: ReservationLines, tx: Transaction): Promise<ReserveOutcome> {
    const client = prismaOf(tx);
    // All lines or none. A short line rolls back the lines before it, and only them: the rest of
    // the transaction (the inbox row, the failure event) still commits. One line is one
    // conditional UPDATE that changes all or nothing by itself: no savepoint (two round trips).
    const savepoint = lines.items.length > 1;
    if (savepoint) await client.$executeRaw`SAVEPOINT reserve_stock`;
    const levels: StockChange[] = [];
    for (const line of lines.items) {
      const [row] = await client.$queryRaw<StockRow[]>`
        UPDATE "stock"
        SET "available" = "available" - ${line.quantity}::bigint,
            "reserved" = "reserved" + ${line.quantity}::bigint,
            "version" = "version" + 1,
            "updated_at" = now()
        WHERE "sku" = ${line.sku} AND "available" >= ${line.quantity}::bigint
        RETURNING "sku", "available", "reserved", "sold", "version"`;
      if (!row) {
        if (savepoint) {
          await client.$executeRaw`ROLLBACK TO SAVEPOINT reserve_stock`;
          await client.$executeRaw`RELEASE SAVEPOINT reserve_stock`;
        }
        return this.shortfall(client, lines, line.sku);
      }
      levels.push(toChange(row));
    }
    if (savepoint) await client.$executeRaw`RELEASE SAVEPOINT reserve_stock`;
    return { reserved: true, levels };
  }

  async commit(lines: ReservationLines, tx: Transaction): Promise<StockChange[]> {
    const client = prismaOf(tx);
    const levels: StockChange[] = [];
    for (const line of lines.items) {
      const rows = await client.$queryRaw<StockRow[]>`
        UPDATE "stock"
        SET "reserved" = "reserved" - ${line.quantity}::bigint, "sold" = "sold" + ${line.quantity}::bigint,
            "version" = "version" + 1, "updated_at" = now()
        WHERE "sku" = ${line.sku}
        RETURNING "sku", "available", "reserved", "sold", "version"`;
      levels.push(this.single(rows, line.sku));
    }
    return levels;
  }

  async release(lines: ReservationLines, tx: Transaction): Promise<StockChange[]> {
    const client = prismaOf(tx);
    const levels: StockChange[] = [];
    for (const line of lines.items) {
      const rows = await client.$queryRaw<StockRow[]>`
        UPDATE "stock"
        SET "reserved" = "reserved" - ${line.quantity}::bigint, "available" = "available" + ${line.quantity}::bigint,
            "version" = "version" + 1, "updated_at" = now()
        WHERE "sku" = ${line.sku}
        RETURNING "sku", "available", "reserved", "sold", "version"`;
      levels.push(this.single(rows, line.sku));
    }
    return levels;
  }

  async restock(sku: string, quantity: number, tx: Transaction): Promise<StockChange | null> {
    const [row] = await prismaOf(tx).$queryRaw<StockRow[]>`
      UPDATE "stock"
      SET "available" = "available" + ${quantity}::bigint, "version" = "version" + 1, "updated_at" = now()
      WHERE "sku" = ${sku}
      RETURNING "sku", "available", "reserved", "sold", "version"`;
    return row ? toChange(row) : null;
  }

  /** Why a reservation failed: every line that cannot be served now, the one that failed first included. */
  private async shortfall(client: Prisma.TransactionClient, lines: ReservationLines, failedSku: string): Promise<ReserveOutcome> {
    const rows = await client.stock.findMany({ where: { sku: { in: lines.skus } }, select: { sku: true, available: true } });
    const available = new Map(rows.map((row) => [row.sku, row.available]));
    const shortages = lines.items
      .filter((line) => line.sku === failedSku || (available.get(line.sku) ?? 0) < line.quantity)
      .map((line) => ({ sku: line.sku, requested: line.quantity, available: available.get(line.sku) ?? 0 }));
    return { reserved: false, shortages, unknownSkus: lines.skus.filter((sku) => !available.has(sku)) };
  }

  /** Reserved units always have their stock row (a foreign key keeps it), so a missing one is a bug. */
  private single(rows: StockRow[], sku: string): StockChange {
    const [row] = rows;
    if (!row) throw new Error(`stock of ${sku} is missing although units of it are reserved`);
    return toChange(row);
  }
}
