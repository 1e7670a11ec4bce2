import { ReservationLines } from '../../domain/reservation-lines.value-object';
import { Reservation, type ReservationStatus } from '../../domain/reservation.aggregate';
import type { ReservationLine as LineRow, Reservation as ReservationRow } from './generated/client';

export function toReservation(row: ReservationRow, lines: readonly LineRow[]): Reservation {
  return Reservation.restore({
    id: row.id,
    orderId: row.orderId,
    // The table's CHECK constraint allows only the three statuses.
    status: row.status as ReservationStatus,
    lines: ReservationLines.restore(lines.map((line) => ({ sku: line.sku, quantity: line.quantity }))),
    expiresAt: row.expiresAt,
    releaseReason: row.releaseReason,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });
}
