import { Inject, Injectable } from '@nestjs/common';
import { Sweeper } from '@storefront/service-kit';
import { OrderSagaHandler } from '../../application/saga/order-saga.handler';
import { ORDER_CONFIG, type OrderConfig } from '../../config';

/**
 * Looks for saga steps past their deadline every SAGA_SWEEP_INTERVAL_MS. Deadlines are stored with
 * the order, so a timeout survives restarts of this or any other service.
 */
@Injectable()
export class SagaTimeoutScheduler extends Sweeper {
  constructor(
    private readonly saga: OrderSagaHandler,
    @Inject(ORDER_CONFIG) private readonly config: OrderConfig,
  ) {
    super();
  }

  protected get intervalMs(): number {
    return this.config.SAGA_SWEEP_INTERVAL_MS;
  }

  protected async sweep(): Promise<void> {
    await this.saga.timeOutDueSteps();
  }
}
