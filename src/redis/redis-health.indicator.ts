import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RedisConnections } from './redis-connections';

/** Readiness part `redis`: PING within READINESS_TIMEOUT_MS; down names the reason (never the URL). */
@Injectable()
export class RedisHealthIndicator {
  private readonly timeoutMs: number;

  constructor(
    private readonly redis: RedisConnections,
    private readonly indicators: HealthIndicatorService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.timeoutMs = config.observability.readinessTimeoutMs;
  }

  async check(): Promise<HealthIndicatorResult<'redis'>> {
    const indicator = this.indicators.check('redis');
    const answer = await this.redis.ping(this.timeoutMs);
    return answer.up ? indicator.up() : indicator.down(answer.reason);
  }
}
