import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Inject, Req, Res, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/public.decorator';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Metrics } from './metrics.service';

/**
 * `GET /metrics` in the Prometheus text format. With METRICS_TOKEN set it needs
 * `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time); otherwise it is public.
 * It is not behind the API's authentication or rate limit: scrapers are not API users.
 */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  private readonly tokenDigest: Buffer | undefined;

  constructor(
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.tokenDigest = config.observability.metricsToken === undefined ? undefined : digest(config.observability.metricsToken);
  }

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<string> {
    if (this.tokenDigest !== undefined) {
      const presented = /^Bearer\s+(\S+)$/i.exec(request.header('authorization') ?? '')?.[1];
      if (presented === undefined || !timingSafeEqual(digest(presented), this.tokenDigest)) {
        response.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        throw new UnauthorizedException('A valid METRICS_TOKEN bearer is required');
      }
    }
    response.setHeader('Content-Type', this.metrics.contentType);
    return this.metrics.scrape();
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
