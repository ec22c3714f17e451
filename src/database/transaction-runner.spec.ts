import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { Metrics } from '../metrics/metrics.service';
import { BatchAbortedError, TransactionRunner } from './transaction-runner';

/** A query runner that records the SQL it is asked for and fails where told. */
class FakeRunner {
  readonly log: string[];
  isTransactionActive = false;
  readonly manager = {} as EntityManager;
  failBegin = 0;
  failCommit = false;

  constructor(log: string[]) {
    this.log = log;
  }
  connect(): Promise<void> {
    return Promise.resolve();
  }
  release(): Promise<void> {
    return Promise.resolve();
  }
  startTransaction(): Promise<void> {
    if (this.failBegin > 0) {
      this.failBegin -= 1;
      return Promise.reject(new Error('database is locked'));
    }
    this.log.push('BEGIN');
    this.isTransactionActive = true;
    return Promise.resolve();
  }
  commitTransaction(): Promise<void> {
    if (this.failCommit) return Promise.reject(new Error('disk I/O error'));
    this.log.push('COMMIT');
    this.isTransactionActive = false;
    return Promise.resolve();
  }
  rollbackTransaction(): Promise<void> {
    this.log.push('ROLLBACK');
    this.isTransactionActive = false;
    return Promise.resolve();
  }
}

/** A unit of work that does no I/O. */
const unit =
  <T>(value: () => T) =>
  (): Promise<T> => {
    try {
      return Promise.resolve(value());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };

function setUp(): { runner: TransactionRunner; fake: FakeRunner; log: string[] } {
  const log: string[] = [];
  const fake = new FakeRunner(log);
  const dataSource = { createQueryRunner: () => fake as unknown as QueryRunner } as unknown as DataSource;
  return { runner: new TransactionRunner(dataSource, new Metrics()), fake, log };
}

describe(TransactionRunner.name, () => {
  it('puts units queued in the same tick into one transaction', async () => {
    const { runner, log } = setUp();
    const values = await Promise.all([runner.run(unit(() => 1)), runner.run(unit(() => 2))]);
    expect(values).toEqual([1, 2]);
    expect(log).toEqual(['BEGIN', 'COMMIT']);
    expect(runner.committed).toEqual({ batches: 1, units: 2 });
  });

  it('a unit that throws fails alone: the batch rolls back and the others run again in the next one', async () => {
    const { runner, log } = setUp();
    const runs = { a: 0, c: 0 };
    const results = await Promise.allSettled([
      runner.run(unit(() => `a${++runs.a}`)),
      runner.run(
        unit(() => {
          throw new Error('own error');
        }),
      ),
      runner.run(unit(() => `c${++runs.c}`)),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['a2', 'own error', 'c1']);
    expect(log).toEqual(['BEGIN', 'ROLLBACK', 'BEGIN', 'COMMIT']);
    expect(runner.committed).toEqual({ batches: 1, units: 2 });
  });

  it('queues units that arrive while a batch commits for the next batch, which starts once that one is durable', async () => {
    const { runner, log } = setUp();
    let second: Promise<string> | undefined;
    const first = runner.run(
      unit(() => {
        second = runner.run(unit(() => 'second'));
        return 'first';
      }),
    );
    await expect(first).resolves.toBe('first');
    await expect(second).resolves.toBe('second');
    expect(log).toEqual(['BEGIN', 'COMMIT', 'BEGIN', 'COMMIT']);
  });

  it('a failed COMMIT rejects every caller of the batch and retries nothing', async () => {
    const { runner, fake, log } = setUp();
    fake.failCommit = true;
    let runs = 0;
    const results = await Promise.allSettled([runner.run(unit(() => (runs += 1))), runner.run(unit(() => (runs += 1)))]);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok'))).toEqual(['disk I/O error', 'disk I/O error']);
    expect(runs).toBe(2);
    expect(log.at(-1)).toBe('ROLLBACK');
    expect(runner.committed).toEqual({ batches: 0, units: 0 });
  });

  it('retries a batch that could not begin once, then reports BatchAbortedError', async () => {
    const { runner, fake } = setUp();
    fake.failBegin = 1;
    await expect(runner.run(unit(() => 'after one retry'))).resolves.toBe('after one retry');
    fake.failBegin = 2;
    const failed = runner.run(unit(() => 'never'));
    await expect(failed).rejects.toBeInstanceOf(BatchAbortedError);
    await expect(failed).rejects.toThrow('The write was not committed: its batch was aborted (database is locked)');
  });
});
