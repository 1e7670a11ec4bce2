import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { MessagingRuntime, reportProjectionLag } from '@storefront/messaging';
import { HealthRegistry } from '@storefront/service-kit';
import { PrismaService } from '../prisma/prisma.service';

/** Shows the order history's lag on /health/ready and /metrics. */
@Injectable()
export class OrderHistoryLagReporter implements OnApplicationBootstrap {
  constructor(
    private readonly runtime: MessagingRuntime,
    private readonly health: HealthRegistry,
    private readonly prisma: PrismaService,
  ) {}

  onApplicationBootstrap(): void {
    reportProjectionLag({
      service: 'order',
      projection: 'order-history',
      consumers: ['order-history-orders', 'order-history-inventory', 'order-history-payment', 'order-history-catalog'],
      runtime: this.runtime,
      health: this.health,
      lastEventAt: async () => (await this.prisma.orderHistory.aggregate({ _max: { lastEventAt: true } }))._max.lastEventAt,
    });
  }
}
