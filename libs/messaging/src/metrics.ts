import { Counter, Gauge, register } from 'prom-client';

function counter(name: string, help: string, labelNames: string[]): Counter {
  return (register.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, labelNames });
}

/** Counters every service exposes on /metrics; labels say which service, subject and consumer. */
export const messagingMetrics = {
  published: counter('storefront_messages_published_total', 'Events the outbox relay published to JetStream', ['service', 'subject']),
  consumed: counter('storefront_messages_consumed_total', 'Events a consumer handled, by outcome', [
    'service',
    'consumer',
    'subject',
    'outcome',
  ]),
  redelivered: counter('storefront_messages_redelivered_total', 'Deliveries of an event seen before', ['service', 'consumer', 'subject']),
  deadLettered: counter('storefront_messages_dead_lettered_total', 'Events given up on after the last delivery', [
    'service',
    'consumer',
    'subject',
  ]),
  retried: counter(
    'storefront_messages_retried_total',
    'Failed deliveries to be retried, by reason: unavailable (a dependency), refused (by the domain), unexpected',
    ['service', 'consumer', 'subject', 'reason'],
  ),
};

/** How old a collected gauge's values may be when a scrape reads them. */
const COLLECT_MAX_AGE_MS = 10_000;
/** A scrape waits this long for a collection, then answers with the last values. */
const COLLECT_TIMEOUT_MS = 2_000;

/**
 * A gauge whose values are collected (queries to the database or JetStream) when Prometheus scrapes,
 * at most once per `maxAgeMs`: scrapes in between (several Prometheus replicas, a person reloading
 * /metrics) read the last values, and scrapes at the same moment share one collection. A collection
 * that fails or is slow (the database is down) leaves the last values in place rather than failing
 * the whole scrape.
 */
export function collectedGauge(
  name: string,
  help: string,
  labelNames: string[],
  collect: (gauge: Gauge) => Promise<void>,
  options: { maxAgeMs?: number } = {},
): Gauge {
  const existing = register.getSingleMetric(name);
  if (existing) register.removeSingleMetric(name);
  const maxAgeMs = options.maxAgeMs ?? COLLECT_MAX_AGE_MS;
  let collectedAt = Number.NEGATIVE_INFINITY;
  let running: Promise<void> | undefined;
  return new Gauge({
    name,
    help,
    labelNames,
    async collect() {
      if (Date.now() - collectedAt < maxAgeMs) return;
      running ??= collect(this)
        .catch(() => undefined)
        .finally(() => {
          collectedAt = Date.now();
          running = undefined;
        });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise((resolve) => (timer = setTimeout(resolve, COLLECT_TIMEOUT_MS)))]);
      clearTimeout(timer);
    },
  });
}
