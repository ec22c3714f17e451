import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Metrics } from '../metrics/metrics.service';

/**
 * Runs a unit of work in one database transaction. Every write goes through here.
 *
 * TypeORM's SQLite driver shares one connection and one query runner across the whole process, so two
 * overlapping `dataSource.transaction()` calls would silently nest into each other (a rollback of one
 * would undo the other). On SQLite the runner therefore queues transactions; SQLite allows a single
 * writer anyway. PostgreSQL uses the pool and runs them concurrently.
 */
@Injectable()
export class TransactionRunner {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly serialize: boolean;

  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: Metrics,
  ) {
    this.serialize = dataSource.options.type === 'sqlite';
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialize) return this.timed(work);
    const result = this.tail.then(() => this.timed(work));
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** One transaction, its duration recorded (queueing on SQLite excluded). */
  private async timed<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const stop = this.metrics.commitDuration.startTimer();
    try {
      const result = await this.dataSource.transaction(work);
      stop({ outcome: 'committed' });
      return result;
    } catch (error) {
      stop({ outcome: 'rolled_back' });
      throw error;
    }
  }
}
