import { Injectable } from '@nestjs/common';
import type { AvailabilityReader } from '../../application/ports/availability.port';
import { PrismaService } from '../prisma/prisma.service';

@Injectable()
export class PrismaAvailabilityReader implements AvailabilityReader {
  constructor(private readonly prisma: PrismaService) {}

  async availableBySku(skus: readonly string[]): Promise<ReadonlyMap<string, { available: number; version: number }>> {
    if (skus.length === 0) return new Map();
    const rows = await this.prisma.productAvailability.findMany({
      where: { sku: { in: [...skus] } },
      select: { sku: true, available: true, version: true },
    });
    return new Map(rows.map((row) => [row.sku, { available: row.available, version: Number(row.version ?? 0) }]));
  }

  async lastEventAt(): Promise<Date | null> {
    const { _max } = await this.prisma.productAvailability.aggregate({ _max: { lastEventAt: true } });
    return _max.lastEventAt;
  }
}
