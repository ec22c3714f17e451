import { Global, Module } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ReadinessChecks } from '../health/readiness-checks';
import { RedisConnections } from './redis-connections';
import { RedisHealthIndicator } from './redis-health.indicator';

/**
 * Redis for several instances (PROTOCOL §8), when REDIS_URL is set: {@link RedisConnections} for every
 * module, and the readiness part `redis`. Without REDIS_URL it provides a disabled RedisConnections and
 * registers no check.
 */
@Global()
@Module({
  providers: [RedisConnections, RedisHealthIndicator, HealthIndicatorService],
  exports: [RedisConnections],
})
export class RedisModule {
  constructor(checks: ReadinessChecks, redis: RedisConnections, health: RedisHealthIndicator) {
    if (redis.enabled) checks.register('redis', () => health.check());
  }
}
