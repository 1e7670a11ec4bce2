import { Injectable } from '@nestjs/common';
import type { Transaction } from '@storefront/ddd';
import type { ReservationRepository } from '../../domain/inventory.repository';
import type { Reservation } from '../../domain/reservation.aggregate';
import { Prisma, type Reservation as ReservationRow } from './generated/client';
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
  /** The reservation's lines, read in the same statement (they never change after the insert). */
  lines: { sku: string; quantity: number }[];
}

/** The reservation's columns and its lines as JSON: a locked read in one round trip. */
const RESERVATION_WITH_LINES = Prisma.raw(`
  r."id", r."order_id", r."status", r."expires_at", r."release_reason", r."created_at", r."updated_at",
  COALESCE((SELECT json_agg(json_build_object('sku', l."sku", 'quantity', l."quantity") ORDER BY l."sku")
            FROM "reservation_lines" l WHERE l."reservation_id" = r."id"), '[]'::json) AS "lines"`);

function fromRaw(row: RawReservationRow): Reservation {
  const reservation: ReservationRow = {
    id: row.id,
    orderId: row.order_id,
    status: row.status,
    expiresAt: row.expires_at,
    releaseReason: row.release_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  return toReservation(
    reservation,
    row.lines.map((line) => ({ reservationId: row.id, sku: line.sku, quantity: line.quantity })),
  );
}

@Injectable()
export class PrismaReservationRepository implements ReservationRepository {
  async findByOrderId(orderId: string, tx: Transaction): Promise<Reservation | null> {
    const client = prismaOf(tx);
    // Locked, so a commit, a release and the sweeper handling the same order take turns.
    const [row] = await client.$queryRaw<RawReservationRow[]>`
      SELECT ${RESERVATION_WITH_LINES}
      FROM "reservations" r WHERE r."order_id" = ${orderId}::uuid
      FOR UPDATE OF r`;
    return row ? fromRaw(row) : null;
  }

  async claimExpired(now: Date, tx: Transaction): Promise<Reservation | null> {
    const client = prismaOf(tx);
    const [row] = await client.$queryRaw<RawReservationRow[]>`
      SELECT ${RESERVATION_WITH_LINES}
      FROM "reservations" r
      WHERE r."status" = 'reserved' AND r."expires_at" <= ${now}
      ORDER BY r."expires_at"
      LIMIT 1
      FOR UPDATE OF r SKIP LOCKED`;
    return row ? fromRaw(row) : null;
  }

  async insert(reservation: Reservation, tx: Transaction): Promise<void> {
    const state = reservation.snapshot;
    const { items } = state.lines;
    // The reservation and its lines in one statement (Prisma's nested create is a round trip each).
    await prismaOf(tx).$executeRaw`
      WITH "reservation" AS (
        INSERT INTO "reservations" ("id", "order_id", "status", "expires_at", "release_reason", "created_at", "updated_at")
        VALUES (${state.id}::uuid, ${state.orderId}::uuid, ${state.status}, ${state.expiresAt}, ${state.releaseReason},
                ${state.createdAt}, ${state.updatedAt})
        RETURNING "id")
      INSERT INTO "reservation_lines" ("reservation_id", "sku", "quantity")
      SELECT "reservation"."id", "line"."sku", "line"."quantity"
      FROM "reservation", unnest(${items.map((line) => line.sku)}::text[], ${items.map((line) => line.quantity)}::int[])
        AS "line" ("sku", "quantity")`;
  }

  async update(reservation: Reservation, tx: Transaction): Promise<void> {
    const state = reservation.snapshot;
    await prismaOf(tx).reservation.update({
      where: { id: state.id },
      data: { status: state.status, releaseReason: state.releaseReason, updatedAt: state.updatedAt },
    });
  }
}
