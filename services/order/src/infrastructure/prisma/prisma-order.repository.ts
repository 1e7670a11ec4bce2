import { Injectable } from '@nestjs/common';
import { Histogram, register } from 'prom-client';
import type { Transaction } from '@storefront/ddd';
import { Outbox } from '@storefront/messaging';
import { asOneStatement, clientOf, executeLater, SqlDatabase, type SqlStatement, type SqlClient as Tx } from '@storefront/persistence';
import { isFinal } from '../../domain/order-status.value-object';
import type { Order } from '../../domain/order.aggregate';
import type { OrderRepository } from '../../domain/order.repository';
import { toMessages } from '../messaging/order-events.mapper';
import { liveOrderHistoryWrites } from '../projections/order-history.projection';
import { ORDER_WITH_LINES, toOrder, type OrderRowWithLines } from './order.mapper';
import { PrismaService } from './prisma.service';

/** From placement to the final state, by outcome (confirmed, cancelled, rejected). */
const sagaDuration =
  (register.getSingleMetric('storefront_saga_duration_seconds') as Histogram | undefined) ??
  new Histogram({
    name: 'storefront_saga_duration_seconds',
    help: 'Order sagas from placement to their final state, by outcome',
    labelNames: ['outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  });

@Injectable()
export class PrismaOrderRepository implements OrderRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlDatabase,
    private readonly outbox: Outbox,
  ) {}

  /** On SqlDatabase (a prepared statement, no Prisma pipeline): every status read and long-poll wake-up reads this. */
  async findById(id: string): Promise<Order | null> {
    const [row] = await this.sql.$queryRawUnsafe<OrderRowWithLines[]>(`${ORDER_WITH_LINES} WHERE o."id" = $1::uuid`, id);
    return row ? toOrder(row) : null;
  }

  async update<T>(id: string, work: (order: Order) => T, tx?: Transaction): Promise<{ order: Order; result: T } | null> {
    const run = async (client: Tx) => {
      // The row lock serialises saga messages, timeouts and cancellation of one order; the same
      // round trip reads it with its lines.
      const [row] = await client.$queryRawUnsafe<OrderRowWithLines[]>(`${ORDER_WITH_LINES} WHERE o."id" = $1::uuid FOR UPDATE OF o`, id);
      if (!row) return null;
      const order = toOrder(row);
      const wasFinal = isFinal(order.snapshot.status);
      const result = work(order);
      await this.save(client, order);
      if (!wasFinal && isFinal(order.snapshot.status)) {
        const { status, createdAt, updatedAt } = order.snapshot;
        sagaDuration.observe({ outcome: status }, (updatedAt.getTime() - createdAt.getTime()) / 1_000);
      }
      return { order, result };
    };
    return tx ? run(clientOf<Tx>(tx)) : this.sql.$transaction(run);
  }

  async insert(
    order: Order,
    idempotency: { customerId: string; key: string; requestHash: string },
  ): Promise<{ created: true; order: Order } | { created: false; order: Order; requestHash: string }> {
    const state = order.snapshot;
    const lines = state.lines.map((line) => ({
      product_id: line.productId,
      sku: line.sku,
      name: line.name,
      quantity: line.quantity,
      unit_price_minor: line.unitPrice.amountMinor,
      line_total_minor: line.lineTotal.amountMinor,
    }));
    const created = await this.sql.$transaction(async (tx) => {
      // Key, order and lines in one statement. A key stored first by a concurrent request of the
      // customer waits for that request's transaction and then inserts nothing.
      const [inserted] = await tx.$queryRawUnsafe<{ count: number }[]>(
        `WITH k AS (
           INSERT INTO "idempotency_keys" ("customer_id", "key", "request_hash", "order_id") VALUES ($1, $2, $3, $4::uuid)
           ON CONFLICT DO NOTHING RETURNING "order_id"),
         o AS (
           INSERT INTO "orders" ("id", "customer_id", "status", "status_reason", "currency", "total_minor", "payment_token",
             "shipping_address", "step_deadline_at", "created_at", "updated_at")
           SELECT k."order_id", $1::text, $5::text, $6::text, $7::text, $8::int, $9::text, $10::jsonb, $11::timestamptz, $12::timestamptz, $13::timestamptz FROM k
           RETURNING "id"),
         l AS (
           INSERT INTO "order_lines" ("order_id", "product_id", "sku", "name", "quantity", "unit_price_minor", "line_total_minor")
           SELECT o."id", x."product_id", x."sku", x."name", x."quantity", x."unit_price_minor", x."line_total_minor"
           FROM o, jsonb_to_recordset($14::jsonb) AS x("product_id" uuid, "sku" text, "name" text, "quantity" int, "unit_price_minor" int, "line_total_minor" int))
         SELECT count(*)::int AS "count" FROM o`,
        idempotency.customerId,
        idempotency.key,
        idempotency.requestHash,
        state.id,
        state.status,
        state.statusReason,
        state.total.currency,
        state.total.amountMinor,
        state.paymentToken,
        JSON.stringify(state.shippingAddress),
        state.stepDeadlineAt,
        state.createdAt,
        state.updatedAt,
        JSON.stringify(lines),
      );
      if (inserted?.count !== 1) return false;
      await this.record(tx, order);
      return true;
    });
    if (created) return { created: true, order };
    // A concurrent request of the customer with the same key won the race; answer with its order.
    const existing = await this.findByIdempotencyKey(idempotency.customerId, idempotency.key);
    if (!existing) throw new Error(`the idempotency key of order ${state.id} is taken, but its order cannot be read`);
    return { created: false, ...existing };
  }

  async findByIdempotencyKey(customerId: string, key: string): Promise<{ order: Order; requestHash: string } | null> {
    const [row] = await this.sql.$queryRawUnsafe<(OrderRowWithLines & { requestHash: string })[]>(
      `${ORDER_WITH_LINES.replace('SELECT ', 'SELECT k."request_hash" AS "requestHash", ')}
       JOIN "idempotency_keys" k ON k."order_id" = o."id" WHERE k."customer_id" = $1 AND k."key" = $2`,
      customerId,
      key,
    );
    return row ? { order: toOrder(row), requestHash: row.requestHash } : null;
  }

  async findTimedOut(now: Date, limit: number): Promise<string[]> {
    const rows = await this.prisma.order.findMany({
      // A cancelled order has a deadline only while its void is unconfirmed.
      where: { status: { in: ['placed', 'stock_reserved', 'payment_authorized', 'cancelled'] }, stepDeadlineAt: { lte: now } },
      select: { id: true },
      orderBy: { stepDeadlineAt: 'asc' },
      take: limit,
    });
    return rows.map((row) => row.id);
  }

  /**
   * Writes the order's mutable columns, its recorded decisions to the outbox and its facts to the
   * order history in one round trip (asOneStatement: three different tables); a second only for a
   * history write of the same row.
   */
  private async save(tx: Tx, order: Order): Promise<void> {
    const state = order.snapshot;
    await this.record(tx, order, {
      sql: `UPDATE "orders" SET "status" = $2, "status_reason" = $3, "payment_token" = $4, "step_deadline_at" = $5::timestamptz,
         "updated_at" = $6::timestamptz WHERE "id" = $1::uuid`,
      values: [state.id, state.status, state.statusReason, state.paymentToken, state.stepDeadlineAt, state.updatedAt],
    });
  }

  /**
   * The order's recorded decisions: to the outbox, and its facts to the order history in the same
   * transaction, so the history is exactly as current as the order (see DEVELOPERS.md); together
   * with `write`, when given, in one statement.
   */
  private async record(tx: Tx, order: Order, write?: SqlStatement): Promise<void> {
    const messages = order.pullEvents().flatMap(toMessages);
    const outbox = this.outbox.statement(tx, ...messages);
    const [first = [], ...rest] = liveOrderHistoryWrites(messages);
    for (const writes of [[...(write ? [write] : []), ...(outbox ? [outbox] : []), ...first], ...rest]) {
      if (writes.length === 0) continue;
      // Nothing reads them back: they go out with the transaction's next statement or its COMMIT.
      await executeLater(tx, asOneStatement(writes));
    }
  }
}
