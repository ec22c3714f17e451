import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
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
  async connect(): Promise<void> {}
  async release(): Promise<void> {}
  async startTransaction(): Promise<void> {
    if (this.failBegin > 0) {
      this.failBegin -= 1;
      throw new Error('database is locked');
    }
    this.log.push('BEGIN');
    this.isTransactionActive = true;
  }
  async commitTransaction(): Promise<void> {
    if (this.failCommit) throw new Error('disk I/O error');
    this.log.push('COMMIT');
    this.isTransactionActive = false;
  }
  async rollbackTransaction(): Promise<void> {
    this.log.push('ROLLBACK');
    this.isTransactionActive = false;
  }
  async query(sql: string): Promise<void> {
    this.log.push(sql);
  }
}

function setUp(): { runner: TransactionRunner; fake: FakeRunner; log: string[] } {
  const log: string[] = [];
  const fake = new FakeRunner(log);
  const dataSource = { createQueryRunner: () => fake as unknown as QueryRunner } as unknown as DataSource;
  return { runner: new TransactionRunner(dataSource), fake, log };
}

describe(TransactionRunner.name, () => {
  it('puts units queued in the same tick into one transaction', async () => {
    const { runner, log } = setUp();
    const values = await Promise.all([runner.run(async () => 1), runner.run(async () => 2)]);
    expect(values).toEqual([1, 2]);
    expect(log).toEqual(['BEGIN', 'COMMIT']);
    expect(runner.committed).toEqual({ batches: 1, units: 2 });
  });

  it('a unit that throws fails alone: the batch rolls back and the others run again in the next one', async () => {
    const { runner, log } = setUp();
    const runs = { a: 0, c: 0 };
    const results = await Promise.allSettled([
      runner.run(async () => `a${++runs.a}`),
      runner.run(async () => {
        throw new Error('own error');
      }),
      runner.run(async () => `c${++runs.c}`),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['a2', 'own error', 'c1']);
    expect(log).toEqual(['BEGIN', 'ROLLBACK', 'BEGIN', 'COMMIT']);
    expect(runner.committed).toEqual({ batches: 1, units: 2 });
  });

  it('queues units that arrive while a batch commits for the next batch, which starts once that one is durable', async () => {
    const { runner, log } = setUp();
    let second: Promise<string> | undefined;
    const first = runner.run(async () => {
      second = runner.run(async () => 'second');
      return 'first';
    });
    await expect(first).resolves.toBe('first');
    await expect(second).resolves.toBe('second');
    expect(log).toEqual(['BEGIN', 'COMMIT', 'BEGIN', 'COMMIT']);
  });

  it('a failed COMMIT rejects every caller of the batch and retries nothing', async () => {
    const { runner, fake, log } = setUp();
    fake.failCommit = true;
    let runs = 0;
    const results = await Promise.allSettled([runner.run(async () => void (runs += 1)), runner.run(async () => void (runs += 1))]);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok'))).toEqual(['disk I/O error', 'disk I/O error']);
    expect(runs).toBe(2);
    expect(log.at(-1)).toBe('ROLLBACK');
    expect(runner.committed).toEqual({ batches: 0, units: 0 });
  });

  it('retries a batch that could not begin once, then reports BatchAbortedError', async () => {
    const { runner, fake } = setUp();
    fake.failBegin = 1;
    await expect(runner.run(async () => 'after one retry')).resolves.toBe('after one retry');
    fake.failBegin = 2;
    const failed = runner.run(async () => 'never');
    await expect(failed).rejects.toBeInstanceOf(BatchAbortedError);
    await expect(failed).rejects.toThrow('The write was not committed: its batch was aborted (database is locked)');
  });
});
