import { Controller, Get, Header } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';

/** Prometheus metrics of this process, from prom-client's default registry. */
@Controller('metrics')
export class MetricsHttpController {
  constructor() {
    // Process metrics (CPU, memory, event-loop lag, GC) once per process.
    if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
  }

  @Get()
  @Header('content-type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
