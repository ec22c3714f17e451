import { Injectable } from '@nestjs/common';
import type { HealthIndicatorFunction } from '@nestjs/terminus';

/**
 * The parts `GET /health/ready` asks, by name. The health module registers the database and the
 * shutdown state; another module adds its own dependency (e.g. Redis) by injecting this registry and
 * calling `register()` in its constructor or `onModuleInit`. A check returns a terminus
 * `HealthIndicatorResult` whose key is its name, `down` with a short message when the part fails.
 */
@Injectable()
export class ReadinessChecks {
  private readonly checks = new Map<string, HealthIndicatorFunction>();

  register(name: string, check: HealthIndicatorFunction): void {
    if (this.checks.has(name)) throw new Error(`readiness check "${name}" is registered twice`);
    this.checks.set(name, check);
  }

  all(): HealthIndicatorFunction[] {
    return [...this.checks.values()];
  }
}
