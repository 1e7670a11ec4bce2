import { constants } from 'node:os';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * What a benchmark started (a stack, a collector, a PostgreSQL or nats-server of its own) stopped
 * once: by the returned function, which the benchmark's `finally` calls, or when a signal ends the
 * benchmark, after which it exits with 128 + the signal's number. A terminal's Ctrl-C reaches every
 * process of the group and they stop by themselves, but a signal sent to the benchmark alone
 * (`timeout`, `kill`, a cancelled CI job) left them running without this: five services, a
 * PostgreSQL and a nats-server kept using the machine until someone noticed.
 */
export function stopOnSignal(stop: () => Promise<void>): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const once = () => (stopping ??= stop());
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`[bench] ${signal}: stopping what the benchmark started…\n`);
    void once()
      .catch((error: unknown) => console.error('stopping:', error))
      .finally(() => process.exit(128 + (constants.signals[signal] ?? 1)));
  };
  for (const signal of SIGNALS) process.once(signal, onSignal);
  return async () => {
    for (const signal of SIGNALS) process.off(signal, onSignal);
    await once();
  };
}
