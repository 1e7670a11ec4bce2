import { Injectable } from '@nestjs/common';
import { Histogram, register } from 'prom-client';
import type { Transaction } from '@storefront/ddd';
import { Outbox } from '@storefront/messaging';
import { clientOf } from '@storefront/persistence';
import { isFinal } from '../../domain/order-status.value-object';
import type { Order } from '../../domain/order.aggregate';
import type { OrderRepository } from '../../domain/order.repository';
import { toMessages } from '../messaging/order-events.mapper';
import { Prisma } from './generated/client';
import { toMutableColumns, toOrder } from './order.mapper';
import { PrismaService } from './prisma.service';

type Tx = Prisma.TransactionClient;

/** From placement to the final state, by outcome (confirmed, cancelled, rejected). */
const sagaDuration =
  (register.getSingleMetric('storefront_saga_duration_seconds') as Histogram | undefined) ??
  new Histogram({
    name: 'storefront_saga_duration_seconds',
    help: 'Order sagas from placement to their final state, by outcome',
    labelNames: ['outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  });

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

@Injectable()
export class PrismaOrderRepository implements OrderRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: Outbox,
  ) {}

  async findById(id: string): Promise<Order | null> {
    const row = await this.prisma.order.findUnique({ where: { id }, include: { lines: true } });
    return row && toOrder(row);
  }

  async update<T>(id: string, work: (order: Order) => T, tx?: Transaction): Promise<{ order: Order; result: T } | null> {
    const run = async (client: Tx) => {
      // The row lock serialises saga messages, timeouts and cancellation of one order.
      const locked = await client.$queryRaw<{ id: string }[]>`SELECT "id" FROM "orders" WHERE "id" = ${id}::uuid FOR UPDATE`;
      if (locked.length === 0) return null;
      const row = await client.order.findUniqueOrThrow({ where: { id }, include: { lines: true } });
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
    return tx ? run(clientOf<Tx>(tx)) : this.prisma.$transaction(run);
  }

  async insert(
    order: Order,
    idempotency: { customerId: string; key: string; requestHash: string },
  ): Promise<{ created: true; order: Order } | { created: false; order: Order; requestHash: string }> {
    const state = order.snapshot;
    try {
      await this.prisma.$transaction(async (tx) => {
        await tx.idempotencyKey.create({
          data: { customerId: idempotency.customerId, key: idempotency.key, requestHash: idempotency.requestHash, orderId: state.id },
        });
        await tx.order.create({
          data: {
            id: state.id,
            customerId: state.customerId,
            currency: state.total.currency,
            totalMinor: state.total.amountMinor,
            shippingAddress: { ...state.shippingAddress },
            createdAt: state.createdAt,
            ...toMutableColumns(order),
            lines: {
              create: state.lines.map((line) => ({
                productId: line.productId,
                sku: line.sku,
                name: line.name,
                quantity: line.quantity,
                unitPriceMinor: line.unitPrice.amountMinor,
                lineTotalMinor: line.lineTotal.amountMinor,
              })),
            },
          },
        });
        await this.outbox.add(tx, ...order.pullEvents().flatMap(toMessages));
      });
      return { created: true, order };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A concurrent request of the customer with the same key won the race; answer with its order.
      const existing = await this.findByIdempotencyKey(idempotency.customerId, idempotency.key);
      if (!existing) throw error;
      return { created: false, ...existing };
    }
  }

  async findByIdempotencyKey(customerId: string, key: string): Promise<{ order: Order; requestHash: string } | null> {
    const entry = await this.prisma.idempotencyKey.findUnique({ where: { customerId_key: { customerId, key } } });
    if (!entry) return null;
    const order = await this.findById(entry.orderId);
    return order && { order, requestHash: entry.requestHash };
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

  private async save(tx: Tx, order: Order): Promise<void> {
    await tx.order.update({ where: { id: order.id }, data: toMutableColumns(order) });
    await this.outbox.add(tx, ...order.pullEvents().flatMap(toMessages));
  }
}
