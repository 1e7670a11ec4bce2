import { Injectable } from '@nestjs/common';
import type { Transaction } from '@storefront/ddd';
import { Outbox } from '@storefront/messaging';
import { clientOf } from '@storefront/persistence';
import type { Payment } from '../../domain/payment.aggregate';
import type { PaymentRepository } from '../../domain/payment.repository';
import { toIntegrationEvent } from '../messaging/payment-events.mapper';
import type { Prisma } from './generated/client';
import { toPayment } from './payment.mapper';
import { PrismaService } from './prisma.service';

/** The transactions handed to the repository are the Prisma ones the message consumer opened. */
function client(tx: Transaction): Prisma.TransactionClient {
  return clientOf<Prisma.TransactionClient>(tx);
}

function newRow(payment: Payment) {
  const state = payment.snapshot;
  return {
    id: state.id,
    orderId: state.orderId,
    status: state.status,
    amountMinor: state.amount?.amountMinor ?? null,
    currency: state.amount?.currency ?? null,
    tokenLast4: state.tokenLast4,
    authorizedAt: state.authorizedAt,
    declineMessage: state.declineMessage,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  };
}

@Injectable()
export class PrismaPaymentRepository implements PaymentRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: Outbox,
  ) {}

  async findByOrderId(orderId: string): Promise<Payment | null> {
    const row = await this.prisma.payment.findUnique({ where: { orderId }, include: { capture: true } });
    return row && toPayment(row);
  }

  async lockByOrderId(orderId: string, tx: Transaction): Promise<Payment | null> {
    const db = client(tx);
    // An advisory lock rather than SELECT ... FOR UPDATE: it also holds an order that has no row yet.
    await db.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${orderId}, 0))`;
    const row = await db.payment.findUnique({ where: { orderId }, include: { capture: true } });
    return row && toPayment(row);
  }

  async insertIntent(payment: Payment): Promise<void> {
    if (payment.pullEvents().length > 0) throw new Error('an intent announces nothing; its decision does');
    await this.prisma.payment.create({ data: newRow(payment) });
  }

  async insert(payment: Payment, tx: Transaction): Promise<void> {
    const db = client(tx);
    await db.payment.create({ data: newRow(payment) });
    await this.outbox.add(db, ...payment.pullEvents().map(toIntegrationEvent));
  }

  async update(payment: Payment, tx: Transaction): Promise<void> {
    const db = client(tx);
    const state = payment.snapshot;
    const events = payment.pullEvents();
    await db.payment.update({
      where: { id: state.id },
      data: { status: state.status, authorizedAt: state.authorizedAt, declineMessage: state.declineMessage, updatedAt: state.updatedAt },
    });
    if (events.some((event) => event.kind === 'PaymentCaptured') && state.capturedAmount) {
      // captures.order_id is unique: a second capture of the order fails here and rolls back.
      await db.capture.create({
        data: {
          paymentId: state.id,
          orderId: state.orderId,
          amountMinor: state.capturedAmount.amountMinor,
          currency: state.capturedAmount.currency,
          capturedAt: state.capturedAt ?? state.updatedAt,
        },
      });
    }
    await this.outbox.add(db, ...events.map(toIntegrationEvent));
  }
}
