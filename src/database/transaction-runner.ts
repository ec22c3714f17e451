import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** One unit of work: everything it writes commits together or not at all. */
export type TransactionWork<T> = (manager: EntityManager) => Promise<T>;

/** Units in one batch at most; more wait for the next batch. */
export const MAX_BATCH = 256;

/**
 * A unit that did nothing wrong lost its batch (another unit broke the transaction, or it could not be
 * started); it was retried once and the retry's batch failed too. Nothing of it was committed.
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
  /** Whether it already lost a batch through no fault of its own (it is retried once). */
  retried: boolean;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/**
 * Runs every write of the process as a unit of work, with **group commit**: the units that are ready at
 * the same moment (queued while the previous batch was committing, or in the same turn of the event
 * loop) share one transaction and one commit, and each caller resumes only once that commit is durable.
 * One batch at a time per process, so on SQLite (one writer, and TypeORM shares one connection) no two
 * transactions ever overlap; on PostgreSQL a batch holds one pool connection.
 *
 * Failure semantics, per unit:
 * - a unit that throws is rolled back to its savepoint and its caller gets its own error; the other
 *   units of the batch still commit (a batch of one unit skips the savepoint and rolls back instead);
 * - when the transaction itself breaks before COMMIT (a rollback to a savepoint fails, or BEGIN fails),
 *   nothing was committed: units that had succeeded, and those not yet run, go back to the front of the
 *   queue and are retried once in a new batch; a unit that loses a second batch gets BatchAbortedError;
 * - when COMMIT fails, every caller of the batch gets that error (the outcome may be unknown, so nothing
 *   is retried), each failed unit its own error.
 *
 * A unit must only touch the database through the manager it is given (it may be run twice, see above),
 * and must never wait for another `run()` (that one waits for this batch: a deadlock).
 */
@Injectable()
export class TransactionRunner {
  private readonly logger = new Logger(TransactionRunner.name);
  private queue: Member[] = [];
  private busy = false;
  private scheduled = false;
  /** Committed batches and the units they carried, since start-up. */
  readonly committed = { batches: 0, units: 0 };

  constructor(private readonly dataSource: DataSource) {}

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
    try {
      try {
        await runner.connect();
        await runner.startTransaction();
      } catch (error) {
        await abandon(runner);
        this.retryOrFail(batch, error);
        return;
      }
      const outcomes = await this.runMembers(runner, batch);
      if (outcomes.broken !== undefined) {
        await abandon(runner);
        batch.forEach((member, i) => {
          const outcome = outcomes.results[i];
          if (outcome && !outcome.ok) member.reject(outcome.error);
        });
        const lost = batch.filter((_, i) => outcomes.results[i]?.ok !== false);
        this.retryOrFail(lost, outcomes.broken);
        return;
      }
      if (batch.length === 1 && outcomes.results[0]?.ok === false) {
        await runner.rollbackTransaction().catch(() => abandon(runner));
        batch[0]?.reject(outcomes.results[0].error);
        return;
      }
      try {
        await runner.commitTransaction();
      } catch (error) {
        await abandon(runner);
        this.logger.error(`commit of a batch of ${batch.length} write(s) failed: ${(error as Error).message}`);
        batch.forEach((member, i) => {
          const outcome = outcomes.results[i];
          member.reject(outcome && !outcome.ok ? outcome.error : error);
        });
        return;
      }
      this.committed.batches += 1;
      this.committed.units += outcomes.results.filter((o) => o.ok).length;
      batch.forEach((member, i) => {
        const outcome = outcomes.results[i];
        if (outcome?.ok) member.resolve(outcome.value);
        else member.reject(outcome?.error);
      });
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  /** Runs each unit (inside its own savepoint when the batch has several); stops when the transaction breaks. */
  private async runMembers(runner: QueryRunner, batch: readonly Member[]): Promise<{ results: Outcome[]; broken?: unknown }> {
    const results: Outcome[] = [];
    const isolate = batch.length > 1;
    for (const member of batch) {
      try {
        if (isolate) await runner.query('SAVEPOINT group_member');
        const value = await member.work(runner.manager);
        if (isolate) await runner.query('RELEASE SAVEPOINT group_member');
        results.push({ ok: true, value });
      } catch (error) {
        results.push({ ok: false, error });
        if (!isolate) break;
        try {
          await runner.query('ROLLBACK TO SAVEPOINT group_member');
          await runner.query('RELEASE SAVEPOINT group_member');
        } catch (broken) {
          return { results, broken };
        }
      }
    }
    return { results };
  }

  /** Members that lost a batch through no fault of their own go back to the front of the queue, once. */
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
      this.logger.warn(`a write batch was aborted (${cause instanceof Error ? cause.message : String(cause)}); retrying ${again.length} write(s)`);
      this.queue.unshift(...again);
    }
  }
}

/**
 * Ends a transaction that may already be gone (e.g. SQLite rolled it back by itself after an I/O error),
 * leaving the query runner ready for the next BEGIN. TypeORM keeps its transaction state in the runner
 * (SQLite has a single one for the whole process), so a failed ROLLBACK must not leave it "active".
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
