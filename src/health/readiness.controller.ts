import { Controller, Get, HttpStatus, Logger, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator';
import { ReadinessChecks } from './readiness-checks';

/**
 * `GET /health/ready`: 200 while every registered part (database, shutdown state, and whatever other
 * modules register) is up; 503 with terminus's report naming the failing part otherwise.
 */
@ApiTags('health')
@Public()
@Controller('health')
export class ReadinessController {
  private readonly logger = new Logger(ReadinessController.name);
  private lastFailing = '';

  constructor(
    private readonly health: HealthCheckService,
    private readonly checks: ReadinessChecks,
  ) {}

  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness: the database (and other registered dependencies) answer and the service is not shutting down' })
  @ApiOkResponse({ description: '`{"status":"ok","info":{"database":{"status":"up"},…},"error":{},"details":{…}}`' })
  @ApiServiceUnavailableResponse({ description: '`{"status":"error","error":{"database":{"status":"down","message":…}},…}`' })
  async ready(@Res({ passthrough: true }) response: Response): Promise<HealthCheckResult> {
    try {
      const result = await this.health.check(this.checks.all());
      this.noteFailing(result);
      return result;
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      this.noteFailing(result);
      response.status(HttpStatus.SERVICE_UNAVAILABLE);
      return result;
    }
  }

  /** One log line when the set of failing parts changes, not one per probe. */
  private noteFailing(result: HealthCheckResult): void {
    const failing = Object.keys(result.error ?? {}).sort().join(',');
    if (failing === this.lastFailing) return;
    if (failing === '') this.logger.log(`ready again (${this.lastFailing} recovered)`);
    else this.logger.warn(`not ready: ${failing} down`);
    this.lastFailing = failing;
  }
}
