import { Injectable } from '@nestjs/common';
import type { Transaction } from '@storefront/ddd';
import { Outbox } from '@storefront/messaging';
import type { InventoryDomainEvent } from '../../domain/inventory.domain-event';
import type { InventoryEventRepository } from '../../domain/inventory.repository';
import { sqlOf } from '../prisma/prisma-unit-of-work';
import { toIntegrationEvent } from './inventory-events.mapper';

/** Writes events to the outbox in the caller's transaction; the outbox relay publishes them after commit. */
@Injectable()
export class OutboxInventoryEventRepository implements InventoryEventRepository {
  constructor(private readonly outbox: Outbox) {}

  async append(events: readonly InventoryDomainEvent[], tx: Transaction): Promise<void> {
    await this.outbox.add(sqlOf(tx), ...events.map(toIntegrationEvent));
  }
}
