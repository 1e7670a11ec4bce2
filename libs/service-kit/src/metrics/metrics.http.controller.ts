import { Controller, Get, Header } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';

/** Prometheus metrics of this process, from prom-client's default registry. */
@Controller('metrics')
export class MetricsHttpController {
  constructor() {
    // Process metrics (CPU, memory, event-loop lag, GC) once per process. The event-loop lag comes
    // from a timer of that period: prom-client's default of 10 ms woke every idle process 100 times a
    // second, 8.3 ms of CPU per second each on the AMD EPYC machine against 1.5 at 100 ms (docs/bench.md,
    // item 51). A block of the loop shorter than 100 ms can fall between two samples; longer ones
    // are all seen, and the lag's percentiles still come from ~150 samples per 15-s scrape.
    if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics({ eventLoopMonitoringPrecision: 100 });
  }

  @Get()
  @Header('content-type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
