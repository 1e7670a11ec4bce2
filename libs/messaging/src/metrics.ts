import { Counter, Gauge, register } from 'prom-client';

function counter(name: string, help: string, labelNames: string[]): Counter {
  return (register.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, labelNames });
}

/** Counters every service exposes on /metrics; labels say which service, subject and consumer. */
export const messagingMetrics = {
  published: counter('storefront_messages_published_total', 'Events the outbox relay published to JetStream', [
    'service',
    'subject',
  ]),
  consumed: counter('storefront_messages_consumed_total', 'Events a consumer handled, by outcome', [
    'service',
    'consumer',
    'subject',
    'outcome',
  ]),
  redelivered: counter('storefront_messages_redelivered_total', 'Deliveries of an event seen before', [
    'service',
    'consumer',
    'subject',
  ]),
  deadLettered: counter('storefront_messages_dead_lettered_total', 'Events given up on after the last delivery', [
    'service',
    'consumer',
    'subject',
  ]),
};

/** A gauge whose value is read when Prometheus scrapes. */
export function collectedGauge(name: string, help: string, labelNames: string[], collect: (gauge: Gauge) => Promise<void>): Gauge {
  const existing = register.getSingleMetric(name);
  if (existing) register.removeSingleMetric(name);
  return new Gauge({
    name,
    help,
    labelNames,
    async collect() {
      await collect(this);
    },
  });
}
