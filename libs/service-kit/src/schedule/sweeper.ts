import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';

/**
 * A job every replica runs every `intervalMs` (expired reservations, saga steps past their
 * deadline). The next run is scheduled when the previous one ends (setTimeout, not setInterval),
 * so runs never overlap however long one takes. Shutdown stops the timer and waits for a run in
 * progress in onModuleDestroy, which comes before the database client module's own onModuleDestroy
 * (beforeApplicationShutdown would come after it, with the connection already gone).
 *
 * A failed run is logged and the next one tries again: a sweep must be safe to repeat, and each of
 * its steps one transaction, so nothing is ever half done.
 */
export abstract class Sweeper implements OnApplicationBootstrap, OnModuleDestroy {
  protected readonly logger = new Logger(this.constructor.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  /** Milliseconds between the end of one run and the start of the next. */
  protected abstract get intervalMs(): number;

  /** One run. */
  protected abstract sweep(): Promise<void>;

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Runs a sweep now (tests, or a caller that cannot wait for the next tick); never overlaps one in progress. */
  async runOnce(): Promise<void> {
    while (this.running) await this.running;
    this.running = this.guarded().finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runOnce().finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }

  private async guarded(): Promise<void> {
    try {
      await this.sweep();
    } catch (error) {
      this.logger.warn({ err: error }, 'sweep failed; the next one tries again');
    }
  }
}
