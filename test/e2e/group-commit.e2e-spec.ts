import { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../../src/config/database-url';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { TransactionRunner } from '../../src/database/transaction-runner';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

/**
 * Group commit on the real database (a SQLite file here, PostgreSQL under `npm run test:pg`): units
 * ready together share a commit, a caller resumes only once its unit is visible to another connection,
 * and a failing unit fails alone (the others of its batch run again and commit once).
 */
describe('Group commit (e2e)', () => {
  let db: TestDatabase;
  let writer: DataSource;
  let observer: DataSource;
  let runner: TransactionRunner;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = parseDatabaseUrl(db.url);
    if (!config) throw new Error(`bad test database url ${db.url}`);
    writer = await new DataSource({ ...buildDataSourceOptions(config), migrationsRun: true, logging: false }).initialize();
    observer = await new DataSource({ ...buildDataSourceOptions(config), logging: false }).initialize();
    runner = new TransactionRunner(writer);
  });

  afterAll(async () => {
    await observer.destroy();
    await writer.destroy();
    await db.drop();
  });

  const insertSession = (id: string) => (manager: import('typeorm').EntityManager) =>
    manager.query(
      `INSERT INTO sessions (id, owner_id, title, message_count, created_at, last_activity) VALUES (${param(manager, 1)}, NULL, NULL, 0, 0, 0)`,
      [id],
    );
  const committedIds = async (prefix: string): Promise<string[]> => {
    const rows: { id: string }[] = await observer.query(`SELECT id FROM sessions WHERE id LIKE '${prefix}%' ORDER BY id`);
    return rows.map((r) => r.id);
  };

  it('commits the units that are ready together in one transaction, and each caller resumes after that commit', async () => {
    const before = { ...runner.committed };
    const ids = Array.from({ length: 40 }, (_, i) => `batch-${String(i).padStart(2, '0')}`);
    const seenAtResume = await Promise.all(
      ids.map(async (id) => {
        await runner.run(insertSession(id));
        // Another connection already sees the row: the commit happened before the caller resumed.
        return (await committedIds(id)).includes(id);
      }),
    );
    expect(seenAtResume.every(Boolean)).toBe(true);
    expect(await committedIds('batch-')).toEqual(ids);
    expect(runner.committed.units - before.units).toBe(40);
    expect(runner.committed.batches - before.batches).toBe(1);
  });

  it('fails only the unit that throws: its writes are rolled back, the others of the batch commit', async () => {
    const results = await Promise.allSettled([
      runner.run(insertSession('iso-a')),
      runner.run(async (manager) => {
        await insertSession('iso-bad')(manager);
        throw new Error('this unit changed its mind');
      }),
      runner.run(insertSession('iso-a')), // a primary-key violation: its own error
      runner.run(async (manager) => {
        await insertSession('iso-c')(manager);
        return 'c done';
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('this unit changed its mind'));
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/UNIQUE|duplicate key/i);
    expect((results[3] as PromiseFulfilledResult<string>).value).toBe('c done');
    expect(await committedIds('iso-')).toEqual(['iso-a', 'iso-c']);
  });

  it('a unit alone in its batch that throws is rolled back and reported', async () => {
    await expect(
      runner.run(async (manager) => {
        await insertSession('alone-bad')(manager);
        throw new Error('nope');
      }),
    ).rejects.toThrow('nope');
    await runner.run(insertSession('alone-ok'));
    expect(await committedIds('alone-')).toEqual(['alone-ok']);
  });

  it('when a unit ends the transaction itself, the others run again in a new batch and commit exactly once', async () => {
    const runs = new Map<string, number>();
    const counted = (id: string) => async (manager: import('typeorm').EntityManager) => {
      runs.set(id, (runs.get(id) ?? 0) + 1);
      await insertSession(id)(manager);
    };
    const results = await Promise.allSettled([
      runner.run(counted('broken-a')),
      runner.run(async (manager) => {
        // Ends the batch's transaction behind the runner's back: its savepoint is gone.
        await manager.query('ROLLBACK');
        throw new Error('broke the transaction');
      }),
      runner.run(counted('broken-c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('broke the transaction'));
    expect(runs.get('broken-a')).toBe(2);
    expect(runs.get('broken-c')).toBe(1);
    expect(await committedIds('broken-')).toEqual(['broken-a', 'broken-c']);
    // The runner is usable afterwards.
    await runner.run(insertSession('broken-after'));
    expect(await committedIds('broken-after')).toEqual(['broken-after']);
  });
});

/** The n-th positional parameter in the dialect of the manager's database. */
function param(manager: import('typeorm').EntityManager, n: number): string {
  return manager.connection.options.type === 'postgres' ? `$${n}` : '?';
}
