import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { Metrics } from '../metrics/metrics.service';

/** One unit of work: everything it writes commits together or not at all. */
export type TransactionWork<T> = (manager: EntityManager) => Promise<T>;

/** Units in one batch at most; more wait for the next batch. */
export const MAX_BATCH = 256;

/**
 * A unit that did nothing wrong lost its batch twice because the transaction could not be started (e.g.
 * the database was locked or unreachable). Nothing of it was committed.
 */
export class BatchAbortedError extends Error {
  constructor(override readonly cause: unknown) {
    super(`The write was not committed: its batch was aborted (${cause instanceof Error ? cause.message : String(cause)})`);
    this.name = 'BatchAbortedError';
  }
}

interface Member {
  readonly work: TransactionWork<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** Whether it already lost a batch that could not begin (it is retried once). */
  retried: boolean;
}

/**
 * Runs every write of the process as a unit of work, with **group commit**: the units that are ready at
 * the same moment (queued while the previous batch was committing, or in the same turn of the event
 * loop) run one after the other in one transaction with one commit, and each caller resumes only once
 * that commit is durable. One batch at a time per process, so on SQLite (one writer, and TypeORM shares
 * one connection) no two transactions ever overlap; on PostgreSQL a batch holds one pool connection.
 *
 * Failure semantics, per unit (no savepoints: they would cost two statements per unit on every batch,
 * and failures are rare):
 * - a unit that throws fails alone: the batch is rolled back, that caller gets the unit's own error, and
 *   the other units (none of them committed) go back to the front of the queue and run again in the
 *   next batch. Each round removes the failing unit, so every unit ends committed or with its own error;
 * - when BEGIN fails, the batch is retried once; a unit whose batch cannot begin twice gets BatchAbortedError;
 * - when COMMIT fails, every caller of the batch gets that error (the outcome may be unknown, so nothing
 *   is retried).
 *
 * So a unit may run more than once before it commits: it must only touch the database through the
 * manager it is given and have no other side effects, and must never wait for another `run()` (that one
 * waits for this batch: a deadlock).
 *
 * Metrics: `codelab_db_commit_duration_seconds` gets one observation per batch (one transaction, BEGIN to
 * COMMIT, or to ROLLBACK when a unit or the COMMIT failed), not one per unit: it measures transactions,
 * and a batch is one. A batch that could not begin is not observed.
 */
@Injectable()
export class TransactionRunner {
  private readonly logger = new Logger(TransactionRunner.name);
  private queue: Member[] = [];
  private busy = false;
  private scheduled = false;
  /** Committed batches and the units they carried, since start-up. */
  readonly committed = { batches: 0, units: 0 };

  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: Metrics,
  ) {}

  run<T>(work: TransactionWork<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject, retried: false });
      this.schedule();
    });
  }

  /** Units waiting for a batch (not counting the one being committed). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Starts the next batch at the end of this turn of the event loop, so that every unit ready now joins it. */
  private schedule(): void {
    if (this.busy || this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.commitBatch(this.queue.splice(0, MAX_BATCH));
    } catch (error) {
      // commitBatch settles every member itself; this is a bug guard, not a path.
      this.logger.error(`write batch failed unexpectedly: ${(error as Error).message}`);
    } finally {
      this.busy = false;
      this.schedule();
    }
  }

  private async commitBatch(batch: Member[]): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    const stop = this.metrics.commitDuration.startTimer();
    try {
      try {
        await runner.connect();
        await runner.startTransaction();
      } catch (error) {
        await abandon(runner);
        this.retryOrFail(batch, error);
        return;
      }
      const values: unknown[] = [];
      for (const [i, member] of batch.entries()) {
        try {
          values.push(await member.work(runner.manager));
        } catch (error) {
          await abandon(runner);
          stop({ outcome: 'rolled_back' });
          member.reject(error);
          // Nothing was committed: the others run again, first in the next batch.
          this.queue.unshift(...batch.slice(0, i), ...batch.slice(i + 1));
          return;
        }
      }
      try {
        await runner.commitTransaction();
      } catch (error) {
        await abandon(runner);
        stop({ outcome: 'rolled_back' });
        this.logger.error(`commit of a batch of ${batch.length} write(s) failed: ${(error as Error).message}`);
        batch.forEach((member) => member.reject(error));
        return;
      }
      stop({ outcome: 'committed' });
      this.committed.batches += 1;
      this.committed.units += batch.length;
      batch.forEach((member, i) => member.resolve(values[i]));
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  /** Members of a batch that could not begin go back to the front of the queue, once. */
  private retryOrFail(members: readonly Member[], cause: unknown): void {
    const again: Member[] = [];
    for (const member of members) {
      if (member.retried) {
        member.reject(new BatchAbortedError(cause));
      } else {
        member.retried = true;
        again.push(member);
      }
    }
    if (again.length > 0) {
      this.logger.warn(`a write batch could not begin (${cause instanceof Error ? cause.message : String(cause)}); retrying ${again.length} write(s)`);
      this.queue.unshift(...again);
    }
  }
}

/**
 * Ends a transaction that may already be gone (e.g. SQLite rolled it back by itself after an I/O error,
 * or a unit ended it), leaving the query runner ready for the next BEGIN. TypeORM keeps its transaction
 * state in the runner (SQLite has a single one for the whole process), so a failed ROLLBACK must not
 * leave it "active".
 */
async function abandon(runner: QueryRunner): Promise<void> {
  if (!runner.isTransactionActive) return;
  try {
    await runner.rollbackTransaction();
  } catch {
    const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
    state.isTransactionActive = false;
    state.transactionDepth = 0;
  }
}
