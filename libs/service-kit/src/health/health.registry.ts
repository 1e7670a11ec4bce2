import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';

/** Resolves (optionally with details to report) when the dependency is usable; rejects otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

export interface ReadinessReport {
  status: 'ready' | 'not_ready' | 'shutting_down';
  checks: Record<string, { status: 'up' | 'down'; latencyMs: number; error?: string; details?: unknown }>;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * Dependencies register what "ready" means for them (the database, later NATS). A tiny registry
 * instead of @nestjs/terminus: we need two endpoints and a timeout, not its indicator framework.
 */
@Injectable()
export class HealthRegistry implements BeforeApplicationShutdown {
  private readonly checks = new Map<string, { check: ReadinessCheck; affectsReadiness: boolean }>();
  private shuttingDown = false;

  /**
   * `affectsReadiness: false` reports the check (a projection's lag, say) without letting it take
   * the process out of rotation.
   */
  register(name: string, check: ReadinessCheck, options: { affectsReadiness?: boolean } = {}): void {
    this.checks.set(name, { check, affectsReadiness: options.affectsReadiness ?? true });
  }

  beforeApplicationShutdown(): void {
    // Load balancers stop sending traffic while in-flight requests finish.
    this.shuttingDown = true;
  }

  async readiness(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, { check, affectsReadiness }]) => [name, await runCheck(check), affectsReadiness] as const),
    );
    const checks = Object.fromEntries(entries.map(([name, result]) => [name, result]));
    const allUp = entries.every(([, result, affectsReadiness]) => !affectsReadiness || result.status === 'up');
    const status = this.shuttingDown ? 'shutting_down' : allUp ? 'ready' : 'not_ready';
    return { status, checks };
  }
}

async function runCheck(check: ReadinessCheck): Promise<ReadinessReport['checks'][string]> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const details = await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    const latencyMs = Math.round(performance.now() - started);
    // A check that resolves with a plain object reports it (arrays are query results, not details).
    const reportable = details !== null && typeof details === 'object' && !Array.isArray(details);
    return reportable ? { status: 'up', latencyMs, details } : { status: 'up', latencyMs };
  } catch (error) {
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
