import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { probe } from './probe';

/**
 * Whether the database answers `SELECT 1` within READINESS_TIMEOUT_MS. terminus's own TypeORM
 * indicator reports a refused connection without a reason; this one names it by error code only
 * (never a host, user or password: the probe is public).
 */
@Injectable()
export class DatabaseHealthIndicator {
  private readonly timeoutMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly indicators: HealthIndicatorService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.timeoutMs = config.observability.readinessTimeoutMs;
  }

  async check(): Promise<HealthIndicatorResult<'database'>> {
    const indicator = this.indicators.check('database');
    if (!this.dataSource.isInitialized) return indicator.down('not connected');
    const found = await probe(() => this.dataSource.query('SELECT 1'), this.timeoutMs, errorCode);
    return found.up ? indicator.up() : indicator.down(found.reason);
  }
}

function errorCode(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? code : 'query failed';
}
