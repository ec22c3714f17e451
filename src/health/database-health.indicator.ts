import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';

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
    const timer = new AbortController();
    try {
      const answered = await Promise.race([
        this.dataSource.query('SELECT 1').then(() => true),
        sleep(this.timeoutMs, false, { signal: timer.signal }),
      ]);
      return answered ? indicator.up() : indicator.down(`no answer within ${this.timeoutMs} ms`);
    } catch (error) {
      return indicator.down(`not answering (${errorCode(error)})`);
    } finally {
      timer.abort();
    }
  }
}

function errorCode(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? code : 'query failed';
}
