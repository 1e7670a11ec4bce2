import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HealthRegistry, type ReadinessReport } from './health.registry';

@Controller('health')
export class HealthHttpController {
  constructor(private readonly registry: HealthRegistry) {}

  /** The process is up and its event loop answers. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Every dependency this process needs answers; 503 otherwise. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    const report = await this.registry.readiness();
    if (report.status !== 'ready') void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
