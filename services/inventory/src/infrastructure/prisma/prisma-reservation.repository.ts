import { Injectable } from '@nestjs/common';
import type { Transaction } from '@storefront/ddd';
import { executeLater } from '@storefront/persistence';
import type { ReservationRepository } from '../../domain/inventory.repository';
import type { Reservation } from '../../domain/reservation.aggregate';
import type { Reservation as ReservationRow } from './generated/client';
import { sqlOf } from './prisma-unit-of-work';
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
const RESERVATION_WITH_LINES = `
  r."id", r."order_id", r."status", r."expires_at", r."release_reason", r."created_at", r."updated_at",
  COALESCE((SELECT json_agg(json_build_object('sku', l."sku", 'quantity', l."quantity") ORDER BY l."sku")
            FROM "reservation_lines" l WHERE l."reservation_id" = r."id"), '[]'::json) AS "lines"`;

// Locked, so a commit, a release and the sweeper handling the same order take turns.
const FIND_BY_ORDER = `SELECT ${RESERVATION_WITH_LINES} FROM "reservations" r WHERE r."order_id" = $1::uuid FOR UPDATE OF r`;

const CLAIM_EXPIRED = `SELECT ${RESERVATION_WITH_LINES}
  FROM "reservations" r
  WHERE r."status" = 'reserved' AND r."expires_at" <= $1::timestamptz
  ORDER BY r."expires_at"
  LIMIT 1
  FOR UPDATE OF r SKIP LOCKED`;

// The reservation and its lines in one statement (Prisma's nested create is a round trip each).
const INSERT = `WITH "reservation" AS (
    INSERT INTO "reservations" ("id", "order_id", "status", "expires_at", "release_reason", "created_at", "updated_at")
    VALUES ($1::uuid, $2::uuid, $3, $4::timestamptz, $5, $6::timestamptz, $7::timestamptz)
    RETURNING "id")
  INSERT INTO "reservation_lines" ("reservation_id", "sku", "quantity")
  SELECT "reservation"."id", "line"."sku", "line"."quantity"
  FROM "reservation", unnest($8::text[], $9::int[]) AS "line" ("sku", "quantity")`;

const UPDATE = `UPDATE "reservations" SET "status" = $2, "release_reason" = $3, "updated_at" = $4::timestamptz WHERE "id" = $1::uuid`;

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

/** Typed raw SQL on the service's plain pg transactions (see prisma-unit-of-work.ts). */
@Injectable()
export class PrismaReservationRepository implements ReservationRepository {
  async findByOrderId(orderId: string, tx: Transaction): Promise<Reservation | null> {
    const [row] = await sqlOf(tx).$queryRawUnsafe<RawReservationRow[]>(FIND_BY_ORDER, orderId);
    return row ? fromRaw(row) : null;
  }

  async claimExpired(now: Date, tx: Transaction): Promise<Reservation | null> {
    const [row] = await sqlOf(tx).$queryRawUnsafe<RawReservationRow[]>(CLAIM_EXPIRED, now);
    return row ? fromRaw(row) : null;
  }

  async insert(reservation: Reservation, tx: Transaction): Promise<void> {
    const state = reservation.snapshot;
    const { items } = state.lines;
    // Nothing reads it back: it goes out with the transaction's next statement (or its COMMIT).
    await executeLater(sqlOf(tx), {
      sql: INSERT,
      values: [
        state.id,
        state.orderId,
        state.status,
        state.expiresAt,
        state.releaseReason,
        state.createdAt,
        state.updatedAt,
        items.map((line) => line.sku),
        items.map((line) => line.quantity),
      ],
    });
  }

  async update(reservation: Reservation, tx: Transaction): Promise<void> {
    const state = reservation.snapshot;
    const updated = await sqlOf(tx).$executeRawUnsafe(UPDATE, state.id, state.status, state.releaseReason, state.updatedAt);
    // Prisma's update threw for a missing row; a reservation is only updated after its locked read.
    if (updated !== 1) throw new Error(`reservation ${state.id} to update does not exist`);
  }
}
