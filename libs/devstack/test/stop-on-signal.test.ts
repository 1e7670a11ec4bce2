import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopOnSignal } from '../src/bench/stop-on-signal';

const HELPER = join(__dirname, '..', 'src', 'bench', 'stop-on-signal.ts');

/** Whether a process of this pid still runs (signal 0 tests for it). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('stopOnSignal (what a benchmark started, stopped when it is killed)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stop-on-signal-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * A "benchmark" that starts a process of its own (a stand-in for the stack: a `sleep` in a
   * process group of its own, so that the signal reaches the benchmark alone, as `timeout` or
   * `kill` send it), then waits for ever.
   */
  function startBenchmark(withHelper: boolean) {
    const script = join(dir, 'bench.mts');
    writeFileSync(
      script,
      `import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { stopOnSignal } from ${JSON.stringify(HELPER)};
const started = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
${withHelper ? "stopOnSignal(async () => { started.kill('SIGTERM'); await once(started, 'exit'); });" : ''}
process.stdout.write(started.pid + '\\n');
setInterval(() => undefined, 1_000);
`,
    );
    const benchmark = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const pid = new Promise<number>((resolve) => benchmark.stdout.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim()))));
    return { benchmark, pid };
  }

  it('stops them on SIGTERM and exits with 128 + 15', async () => {
    const { benchmark, pid } = startBenchmark(true);
    const child = await pid;
    expect(alive(child)).toBe(true);
    benchmark.kill('SIGTERM');
    const [code] = (await once(benchmark, 'exit')) as [number | null];
    expect(code).toBe(143);
    expect(alive(child)).toBe(false);
  });

  it('is what stops them: without it they outlive the benchmark', async () => {
    const { benchmark, pid } = startBenchmark(false);
    const child = await pid;
    benchmark.kill('SIGTERM');
    await once(benchmark, 'exit');
    try {
      expect(alive(child)).toBe(true);
    } finally {
      process.kill(child, 'SIGKILL');
    }
  });

  it('stops them once when the benchmark ends by itself, and then leaves signals alone', async () => {
    const calls: string[] = [];
    const before = process.listenerCount('SIGTERM');
    const stop = stopOnSignal(() => Promise.resolve(void calls.push('stopped')));
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    await stop();
    await stop();
    expect(calls).toEqual(['stopped']);
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});
