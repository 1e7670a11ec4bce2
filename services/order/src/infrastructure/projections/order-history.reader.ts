import { Injectable } from '@nestjs/common';
import type { OrderStatus, OrderSummaryDto, OrderTimelineDto } from '@storefront/contracts';
import type { OrderHistoryCriteria, OrderHistoryReader } from '../../application/ports/order-history.port';
import type { Prisma } from '../prisma/generated/client';
import { PrismaService } from '../prisma/prisma.service';

interface StoredLine {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPrice: { amountMinor: number; currency: string };
  lineTotal: { amountMinor: number; currency: string };
}

@Injectable()
export class PrismaOrderHistoryReader implements OrderHistoryReader {
  constructor(private readonly prisma: PrismaService) {}

  async list(criteria: OrderHistoryCriteria): Promise<OrderSummaryDto[]> {
    const where: Prisma.OrderHistoryWhereInput[] = [{ placedAt: { not: null } }];
    if (criteria.customerId) where.push({ customerId: criteria.customerId });
    if (criteria.status) where.push({ status: criteria.status });
    if (criteria.from) where.push({ placedAt: { gte: criteria.from } });
    if (criteria.to) where.push({ placedAt: { lt: criteria.to } });
    if (criteria.after) {
      const { placedAt, orderId } = criteria.after;
      where.push({ OR: [{ placedAt: { lt: placedAt } }, { placedAt, orderId: { lt: orderId } }] });
    }
    const rows = await this.prisma.orderHistory.findMany({
      where: { AND: where },
      orderBy: [{ placedAt: 'desc' }, { orderId: 'desc' }],
      take: criteria.limit,
    });
    // Current product names come from catalog events the read model keeps; prices stay as charged.
    const productIds = [...new Set(rows.flatMap((row) => ((row.lines ?? []) as unknown as StoredLine[]).map((line) => line.productId)))];
    const names = new Map(
      (await this.prisma.orderHistoryProduct.findMany({ where: { productId: { in: productIds } } })).map((product) => [
        product.productId,
        product.name,
      ]),
    );
    return rows.map((row) => ({
      id: row.orderId,
      customerId: row.customerId ?? '',
      status: row.status as OrderStatus,
      statusReason: row.statusReason,
      paymentStatus: row.paymentStatus as OrderSummaryDto['paymentStatus'],
      lines: ((row.lines ?? []) as unknown as StoredLine[]).map((line) => ({ ...line, name: names.get(line.productId) ?? line.name })),
      total: { amountMinor: row.totalMinor ?? 0, currency: row.currency ?? '' },
      placedAt: (row.placedAt as Date).toISOString(),
      lastEventAt: row.lastEventAt.toISOString(),
    }));
  }

  async timeline(orderId: string, customerId?: string): Promise<OrderTimelineDto | null> {
    const known = await this.prisma.orderHistory.findUnique({ where: { orderId }, select: { customerId: true } });
    if (!known || (customerId !== undefined && known.customerId !== customerId)) return null;
    const entries = await this.prisma.orderHistoryTimeline.findMany({
      where: { orderId },
      orderBy: [{ occurredAt: 'asc' }, { eventId: 'asc' }],
    });
    return {
      orderId,
      entries: entries.map((entry) => ({ at: entry.occurredAt.toISOString(), type: entry.type, detail: entry.detail })),
    };
  }

  async lastEventAt(): Promise<Date | null> {
    return (await this.prisma.orderHistory.aggregate({ _max: { lastEventAt: true } }))._max.lastEventAt;
  }
}
