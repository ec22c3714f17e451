import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { TransactionRunner } from '../database/transaction-runner';
import { SessionEntity } from './entities/session.entity';
import { SessionDeletions } from './session-deletions';
import { SessionTotals } from './session-totals';

const BATCH_SIZE = 500;

/**
 * Deletes sessions idle for longer than `SESSION_TTL_HOURS` (with their messages, agent context and
 * approvals, by cascade). Runs in batches so that no single transaction holds the database long, and
 * announces every deleted id (its sockets are closed, its turns stopped, see {@link SessionDeletions}).
 */
@Injectable()
export class SessionCleanupService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SessionCleanupService.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    private readonly tx: TransactionRunner,
    private readonly totals: SessionTotals,
    private readonly deletions: SessionDeletions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.sessionTtlHours <= 0) return;
    this.timer = setInterval(() => void this.runOnce(), this.config.sessionCleanupIntervalMs);
    this.timer.unref();
    void this.runOnce();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Deletes every expired session now; returns how many. Never runs twice at once. */
  runOnce(now = new Date()): Promise<number> {
    this.running ??= this.deleteExpired(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async deleteExpired(now: Date): Promise<number> {
    if (this.config.sessionTtlHours <= 0) return 0;
    const cutoff = new Date(now.getTime() - this.config.sessionTtlHours * 3_600_000);
    let deleted = 0;
    try {
      for (;;) {
        const batch = await this.sessions.find({
          select: { id: true },
          where: { lastActivity: LessThan(cutoff) },
          take: BATCH_SIZE,
        });
        if (batch.length === 0) break;
        const ids = batch.map((s) => s.id);
        // Checks the cutoff again in case a session became active since the read. Written with the
        // query builder because `delete(criteria)` does not apply the column's epoch-ms transformer.
        const result = await this.tx.run((manager) =>
          manager
            .createQueryBuilder()
            .delete()
            .from(SessionEntity)
            .where({ id: In(ids) })
            .andWhere('last_activity < :cutoff', { cutoff: cutoff.getTime() })
            .execute(),
        );
        deleted += result.affected ?? 0;
        if (result.affected) {
          this.totals.forget();
          const left = new Set((await this.sessions.find({ select: { id: true }, where: { id: In(ids) } })).map((s) => s.id));
          await this.deletions.announce(ids.filter((id) => !left.has(id)));
        }
        if (batch.length < BATCH_SIZE) break;
      }
    } catch (error) {
      this.logger.error(`session cleanup failed: ${(error as Error).message}`);
    }
    if (deleted > 0) {
      this.logger.log(`deleted ${deleted} session(s) idle since before ${cutoff.toISOString()}`);
    }
    return deleted;
  }
}
