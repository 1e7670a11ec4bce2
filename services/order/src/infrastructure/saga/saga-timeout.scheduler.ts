import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { OrderSagaHandler } from '../../application/saga/order-saga.handler';
import { ORDER_CONFIG, type OrderConfig } from '../../config';

/**
 * Looks for saga steps past their deadline every SAGA_SWEEP_INTERVAL_MS. Deadlines are stored with
 * the order, so a timeout survives restarts of this or any other service.
 */
@Injectable()
export class SagaTimeoutScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SagaTimeouts');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly saga: OrderSagaHandler,
    @Inject(ORDER_CONFIG) private readonly config: OrderConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running = this.running.then(() =>
        this.saga.timeOutDueSteps().catch((error: unknown) => this.logger.error({ err: error }, 'timeout sweep failed')),
      );
    }, this.config.SAGA_SWEEP_INTERVAL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
