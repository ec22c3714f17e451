import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AgentRuntimeService } from '../agent-runtime/agent-runtime.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { SESSION_LEASE, SessionLease } from './session-lease';

/**
 * Several instances: every half lease, looks for sessions whose lease expired while their run marker
 * was still set (an instance died mid-turn) and closes those turns, so that a session nobody writes to
 * still ends up `idle` with its partial answer stored. Any instance may do it; the lease lets one win.
 */
@Injectable()
export class OrphanSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrphanSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private readonly reclaiming = new Set<string>();

  constructor(
    @Inject(SESSION_LEASE) private readonly lease: SessionLease,
    private readonly runtime: AgentRuntimeService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.lease.shared) return;
    this.timer = setInterval(() => void this.sweep(), Math.max(250, Math.floor(this.config.cluster.runLeaseMs / 2)));
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Closes every orphaned turn found now; resolves when all are done. */
  async sweep(): Promise<void> {
    if (this.runtime.draining) return;
    let orphans: string[];
    try {
      orphans = await this.lease.orphans();
    } catch (error) {
      this.logger.warn(`could not look for turns left by dead instances: ${(error as Error).message}`);
      return;
    }
    await Promise.all(
      orphans
        .filter((id) => !this.reclaiming.has(id))
        .map(async (sessionId) => {
          this.reclaiming.add(sessionId);
          try {
            await this.runtime.reclaim(sessionId);
          } catch (error) {
            this.logger.error(`session=${sessionId} could not close the turn of a dead instance: ${(error as Error).message}`);
          } finally {
            this.reclaiming.delete(sessionId);
          }
        }),
    );
  }
}
