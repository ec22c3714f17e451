import { Global, Module } from '@nestjs/common';
import { HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from './database-health.indicator';
import { HealthController } from './health.controller';
import { ReadinessChecks } from './readiness-checks';
import { ReadinessController } from './readiness.controller';
import { ShutdownState } from './shutdown-state';

/**
 * Liveness (`/health`) and readiness (`/health/ready`, @nestjs/terminus). Global so that any module can
 * add a readiness check through {@link ReadinessChecks}.
 */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, ReadinessController],
  providers: [ReadinessChecks, DatabaseHealthIndicator, ShutdownState],
  exports: [ReadinessChecks],
})
export class HealthModule {
  constructor(checks: ReadinessChecks, database: DatabaseHealthIndicator, shutdown: ShutdownState, indicators: HealthIndicatorService) {
    checks.register('shutdown', () => {
      const indicator = indicators.check('shutdown');
      return Promise.resolve(shutdown.shuttingDown ? indicator.down('the service is shutting down') : indicator.up());
    });
    checks.register('database', () => database.check());
  }
}
