import { Sweeper } from './sweeper';

class CountingSweeper extends Sweeper {
  runs = 0;
  active = 0;
  maxActive = 0;
  failNext = false;

  constructor(
    private readonly every: number,
    private readonly takes: number,
  ) {
    super();
  }

  protected get intervalMs(): number {
    return this.every;
  }

  protected async sweep(): Promise<void> {
    this.runs += 1;
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    await new Promise((resolve) => setTimeout(resolve, this.takes));
    this.active -= 1;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('database gone for a moment');
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Until `done()` holds (a busy machine can be slow to run timers), at most 10 s. */
async function until(done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 10_000; !done() && Date.now() < deadline;) await sleep(10);
}

describe('Sweeper', () => {
  it('runs again and again after start, never two runs at once', async () => {
    const sweeper = new CountingSweeper(5, 20);
    sweeper.onApplicationBootstrap();
    await Promise.all([sweeper.runOnce(), sweeper.runOnce()]);
    await until(() => sweeper.runs >= 3);
    await sweeper.onModuleDestroy();
    expect(sweeper.runs).toBeGreaterThanOrEqual(3);
    expect(sweeper.maxActive).toBe(1);
  });

  it('keeps sweeping after a failed run', async () => {
    const sweeper = new CountingSweeper(5, 1);
    sweeper.failNext = true;
    sweeper.onApplicationBootstrap();
    await until(() => sweeper.runs >= 2);
    await sweeper.onModuleDestroy();
    expect(sweeper.failNext).toBe(false);
    expect(sweeper.runs).toBeGreaterThanOrEqual(2);
  });

  it('waits for the run in progress when stopped, and starts no other', async () => {
    const sweeper = new CountingSweeper(1, 50);
    sweeper.onApplicationBootstrap();
    await sleep(20);
    await sweeper.onModuleDestroy();
    expect(sweeper.active).toBe(0);
    const runs = sweeper.runs;
    await sleep(60);
    expect(sweeper.runs).toBe(runs);
  });
});
