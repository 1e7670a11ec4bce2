import { Injectable } from '@nestjs/common';
import type { Transaction } from '@storefront/ddd';
import type { ReservationRepository } from '../../domain/inventory.repository';
import type { Reservation } from '../../domain/reservation.aggregate';
import type { Prisma, Reservation as ReservationRow } from './generated/client';
import { prismaOf } from './prisma-unit-of-work';
import { toReservation } from './reservation.mapper';

interface RawReservationRow {
  id: string;
  order_id: string;
  status: string;
  expires_at: Date;
  release_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

function fromRaw(row: RawReservationRow): ReservationRow {
  return {
    id: row.id,
    orderId: row.order_id,
    status: row.status,
    expiresAt: row.expires_at,
    releaseReason: row.release_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

@Injectable()
export class PrismaReservationRepository implements ReservationRepository {
  async findByOrderId(orderId: string, tx: Transaction): Promise<Reservation | null> {
    const client = prismaOf(tx);
    // Locked, so a commit, a release and the sweeper handling the same order take turns.
    const [row] = await client.$queryRaw<RawReservationRow[]>`
      SELECT "id", "order_id", "status", "expires_at", "release_reason", "created_at", "updated_at"
      FROM "reservations" WHERE "order_id" = ${orderId}::uuid
      FOR UPDATE`;
    return row ? this.withLines(client, fromRaw(row)) : null;
  }

  async claimExpired(now: Date, tx: Transaction): Promise<Reservation | null> {
    const client = prismaOf(tx);
    const [row] = await client.$queryRaw<RawReservationRow[]>`
      SELECT "id", "order_id", "status", "expires_at", "release_reason", "created_at", "updated_at"
      FROM "reservations"
      WHERE "status" = 'reserved' AND "expires_at" <= ${now}
      ORDER BY "expires_at"
      LIMIT 1
      FOR UPDATE SKIP LOCKED`;
    return row ? this.withLines(client, fromRaw(row)) : null;
  }

  async insert(reservation: Reservation, tx: Transaction): Promise<void> {
    const state = reservation.snapshot;
    await prismaOf(tx).reservation.create({
      data: {
        id: state.id,
        orderId: state.orderId,
        status: state.status,
        expiresAt: state.expiresAt,
        releaseReason: state.releaseReason,
        createdAt: state.createdAt,
        updatedAt: state.updatedAt,
        lines: { createMany: { data: state.lines.items.map((line) => ({ sku: line.sku, quantity: line.quantity })) } },
      },
    });
  }

  async update(reservation: Reservation, tx: Transaction): Promise<void> {
    const state = reservation.snapshot;
    await prismaOf(tx).reservation.update({
      where: { id: state.id },
      data: { status: state.status, releaseReason: state.releaseReason, updatedAt: state.updatedAt },
    });
  }

  private async withLines(client: Prisma.TransactionClient, row: ReservationRow): Promise<Reservation> {
    const lines = await client.reservationLine.findMany({ where: { reservationId: row.id } });
    return toReservation(row, lines);
  }
}
