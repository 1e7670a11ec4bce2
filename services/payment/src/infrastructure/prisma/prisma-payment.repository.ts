import { Injectable } from '@nestjs/common';
import type { Transaction } from '@storefront/ddd';
import { Outbox } from '@storefront/messaging';
import { asOneStatement, clientOf, executeLater, SqlDatabase, type SqlClient, type SqlStatement } from '@storefront/persistence';
import type { Payment, PaymentStatus } from '../../domain/payment.aggregate';
import type { PaymentRepository } from '../../domain/payment.repository';
import { toIntegrationEvent } from '../messaging/payment-events.mapper';
import { toPayment } from './payment.mapper';
import { PrismaService } from './prisma.service';

/**
 * The transactions handed to the repository are the plain pg ones the message consumer opened
 * (SqlDatabase of @storefront/persistence); its statements are typed raw SQL.
 */
function client(tx: Transaction): SqlClient {
  return clientOf<SqlClient>(tx);
}

/** A payment row with its capture's columns (null without one), named as Prisma's model. */
interface PaymentRow {
  id: string;
  orderId: string;
  status: PaymentStatus;
  amountMinor: number | null;
  currency: string | null;
  tokenLast4: string | null;
  authorizedAt: Date | null;
  declineMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
  captureAmountMinor: number | null;
  captureCurrency: string | null;
  capturedAt: Date | null;
}

// An advisory lock rather than SELECT ... FOR UPDATE: it also holds an order that has no row yet.
// Its own statement: a read in the same statement would not see a row committed while it waited.
// It goes ahead of the read in the read's round trip (executeLater), still a statement of its own.
const LOCK = 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))';

const FIND = `SELECT p."id", p."order_id" AS "orderId", p."status", p."amount_minor" AS "amountMinor", p."currency",
    p."token_last4" AS "tokenLast4", p."authorized_at" AS "authorizedAt", p."decline_message" AS "declineMessage",
    p."created_at" AS "createdAt", p."updated_at" AS "updatedAt",
    c."amount_minor" AS "captureAmountMinor", c."currency" AS "captureCurrency", c."captured_at" AS "capturedAt"
  FROM "payments" p LEFT JOIN "captures" c ON c."payment_id" = p."id"
  WHERE p."order_id" = $1::uuid`;

function fromRow(row: PaymentRow): Payment {
  const { captureAmountMinor, captureCurrency, capturedAt, ...payment } = row;
  const capture =
    captureAmountMinor === null || captureCurrency === null || capturedAt === null
      ? null
      : { paymentId: row.id, orderId: row.orderId, amountMinor: captureAmountMinor, currency: captureCurrency, capturedAt };
  return toPayment({ ...payment, capture });
}

function insertOf(payment: Payment): SqlStatement {
  const state = payment.snapshot;
  return {
    sql: `INSERT INTO "payments" ("id", "order_id", "status", "amount_minor", "currency", "token_last4", "authorized_at",
        "decline_message", "created_at", "updated_at")
      VALUES ($1::uuid, $2::uuid, $3::"payment_status", $4::int, $5, $6, $7::timestamptz, $8, $9::timestamptz, $10::timestamptz)`,
    values: [
      state.id,
      state.orderId,
      state.status,
      state.amount?.amountMinor ?? null,
      state.amount?.currency ?? null,
      state.tokenLast4,
      state.authorizedAt,
      state.declineMessage,
      state.createdAt,
      state.updatedAt,
    ],
  };
}

@Injectable()
export class PrismaPaymentRepository implements PaymentRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlDatabase,
    private readonly outbox: Outbox,
  ) {}

  async findByOrderId(orderId: string): Promise<Payment | null> {
    const row = await this.prisma.payment.findUnique({ where: { orderId }, include: { capture: true } });
    return row && toPayment(row);
  }

  async lockByOrderId(orderId: string, tx: Transaction): Promise<Payment | null> {
    const db = client(tx);
    await executeLater(db, { sql: LOCK, values: [orderId] });
    const [row] = await db.$queryRawUnsafe<PaymentRow[]>(FIND, orderId);
    return row ? fromRow(row) : null;
  }

  async insertIntent(payment: Payment): Promise<void> {
    if (payment.pullEvents().length > 0) throw new Error('an intent announces nothing; its decision does');
    const statement = insertOf(payment);
    await this.sql.$executeRawUnsafe(statement.sql, ...statement.values);
  }

  /** The payment and its events in one statement (different tables: see asOneStatement). */
  async insert(payment: Payment, tx: Transaction): Promise<void> {
    const events = this.outbox.statement(client(tx), ...payment.pullEvents().map(toIntegrationEvent));
    await this.run(client(tx), [insertOf(payment), ...(events ? [events] : [])]);
  }

  /** The payment's changes, its capture and its events in one statement. */
  async update(payment: Payment, tx: Transaction): Promise<void> {
    const state = payment.snapshot;
    const events = payment.pullEvents();
    const statements: SqlStatement[] = [
      {
        sql: `UPDATE "payments" SET "status" = $2::"payment_status", "authorized_at" = $3::timestamptz, "decline_message" = $4,
            "updated_at" = $5::timestamptz WHERE "id" = $1::uuid`,
        values: [state.id, state.status, state.authorizedAt, state.declineMessage, state.updatedAt],
      },
    ];
    if (events.some((event) => event.kind === 'PaymentCaptured') && state.capturedAmount) {
      // captures.order_id is unique: a second capture of the order fails here and rolls back.
      statements.push({
        sql: `INSERT INTO "captures" ("payment_id", "order_id", "amount_minor", "currency", "captured_at")
          VALUES ($1::uuid, $2::uuid, $3::int, $4, $5::timestamptz)`,
        values: [
          state.id,
          state.orderId,
          state.capturedAmount.amountMinor,
          state.capturedAmount.currency,
          state.capturedAt ?? state.updatedAt,
        ],
      });
    }
    const outbox = this.outbox.statement(client(tx), ...events.map(toIntegrationEvent));
    if (outbox) statements.push(outbox);
    await this.run(client(tx), statements);
  }

  /** Nothing reads them back: they go out with the transaction's next statement or its COMMIT. */
  private async run(db: SqlClient, statements: SqlStatement[]): Promise<void> {
    await executeLater(db, asOneStatement(statements));
  }
}
