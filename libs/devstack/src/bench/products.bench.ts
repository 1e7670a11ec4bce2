import { loadavg } from 'node:os';
import { startTestStack, type TestStack } from '../test-stack';
import { CpuAccount, readMemory } from './process-usage';
import { measureProductReads, startCollector } from './product-reads';
import { stopOnSignal } from './stop-on-signal';

/*
 * `pnpm bench products`: only the product-read figures of `pnpm bench` (GET /api/products/{id} at the
 * gateway and GET /products/{id} at the catalog, each ÷ a raw node:http server with the same bytes,
 * same run), on a stack as shipped for production (NODE_ENV=production, traces exported to a
 * collector), plus the CPU milliseconds the gateway and the catalog spent per request, and the RSS
 * and PSS of the five Node processes after the reads (the phase that grows the gateway and the
 * catalog; `pnpm bench` reads them at the same point, after its order phases too). A minute instead
 * of `pnpm bench`'s five, for working on the read path or on memory.
 *   BENCH_SECONDS (per server, default 10), BENCH_CPU_PROFILE (a directory: V8 CPU profiles of the
 *   gateway and the catalog), BENCH_NODE_FLAGS (Node flags after the services' own, space-separated:
 *   an A/B of a flag)
 */

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

async function main(): Promise<void> {
  const log = (line: string) => process.stdout.write(`[bench products] ${line}\n`);
  log(
    `load ${loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')}`,
  );
  const collector = await startCollector();
  let stack: TestStack | undefined;
  const stopAll = stopOnSignal(async () => {
    await stack?.stop();
    collector.child.kill('SIGTERM');
  });
  try {
    process.env.NODE_ENV = 'production';
    const profiling: Record<string, string> = process.env.BENCH_CPU_PROFILE
      ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`.trim() }
      : {};
    stack = await startTestStack({
      tracing: { endpoint: collector.endpoint },
      output: process.env.BENCH_VERBOSE ? undefined : null,
      logLevel: 'info',
      readyTimeoutMs: 180_000,
      extraNodeFlags: (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
      env: { gateway: { RATE_LIMIT_BURST: '1000000', RATE_LIMIT_PER_SECOND: '1000000', ...profiling }, catalog: profiling },
    });
    const account = new CpuAccount();
    for (const name of ['gateway', 'catalog']) account.track(name, [stack.service(name).process.pid as number]);
    account.start();
    const started = performance.now();
    const rates = await measureProductReads(stack, SECONDS);
    const cpu = account.read();
    const memory = readMemory(Object.fromEntries(stack.services.map((s) => [s.definition.name, s.process.pid as number])));
    const elapsed = (performance.now() - started) / 1000;
    log(
      `raw ${Math.round(rates.raw)} req/s, gateway ${Math.round(rates.gateway)} (${(rates.gateway / rates.raw).toFixed(3)}), ` +
        `catalog ${Math.round(rates.catalog)} (${(rates.catalog / rates.raw).toFixed(3)})`,
    );
    // The gateway phase runs the gateway alone (and the catalog on a miss); the catalog phase the catalog alone.
    log(
      `CPU over ${elapsed.toFixed(0)} s: gateway ${Math.round(cpu.gateway ?? 0)} ms, catalog ${Math.round(cpu.catalog ?? 0)} ms; ` +
        `gateway ${((cpu.gateway ?? 0) / (rates.gateway * SECONDS)).toFixed(3)} ms per gateway request, ` +
        `catalog ${((cpu.catalog ?? 0) / (rates.catalog * SECONDS)).toFixed(3)} ms per catalog request`,
    );
    log(
      `RSS ${memory.rssMB} MB (${JSON.stringify(memory.rssMBByService)}); ` +
        `PSS ${memory.pssMB} MB (${JSON.stringify(memory.memoryMBByService)})`,
    );
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
