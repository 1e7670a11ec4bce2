import type { HealthRegistry } from '@storefront/service-kit';
import type { MessagingRuntime } from './messaging.module';
import { collectedGauge } from './metrics';

/**
 * Reports how far a read model is behind: seconds since the occurred-at of the last event it applied,
 * and the messages its consumers have not yet handled. Shown on /health/ready (without affecting
 * readiness) and as the metrics storefront_projection_lag_seconds / storefront_projection_pending.
 */
export function reportProjectionLag(options: {
  service: string;
  projection: string;
  consumers: readonly string[];
  runtime: MessagingRuntime;
  health: HealthRegistry;
  lastEventAt: () => Promise<Date | null>;
}): void {
  const measure = async () => {
    const last = await options.lastEventAt();
    const pending = (await Promise.all(options.consumers.map((durable) => options.runtime.consumerLag(durable).catch(() => 0)))).reduce(
      (sum, lag) => sum + lag,
      0,
    );
    return {
      lastEventAt: last?.toISOString() ?? null,
      lagSeconds: last ? Math.max(0, (Date.now() - last.getTime()) / 1_000) : null,
      pending,
    };
  };
  options.health.register(`projection:${options.projection}`, measure, { affectsReadiness: false });
  measures.set(`${options.service}/${options.projection}`, { service: options.service, projection: options.projection, measure });
  ensureGauges();
}

type Measure = () => Promise<{ lagSeconds: number | null; pending: number }>;
const measures = new Map<string, { service: string; projection: string; measure: Measure }>();
let gaugesCreated = false;

/** One pair of gauges for every read model of the process, read at scrape time. */
function ensureGauges(): void {
  if (gaugesCreated) return;
  gaugesCreated = true;
  collectedGauge(
    'storefront_projection_lag_seconds',
    'Seconds since the occurred-at of the last event a read model applied',
    ['service', 'projection'],
    async (gauge) => {
      for (const { service, projection, measure } of measures.values()) {
        const { lagSeconds } = await measure();
        if (lagSeconds !== null) gauge.set({ service, projection }, lagSeconds);
      }
    },
  );
  collectedGauge('storefront_projection_pending', 'Events a read model has not yet applied', ['service', 'projection'], async (gauge) => {
    for (const { service, projection, measure } of measures.values()) gauge.set({ service, projection }, (await measure()).pending);
  });
}
