import { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../../src/config/database-url';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { PreparedStatements, preparedSql } from '../../src/database/prepared-statements';
import { TransactionRunner } from '../../src/database/transaction-runner';
import { Metrics } from '../../src/metrics/metrics.service';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const COUNT_LIKE = preparedSql('test_count_like', 'SELECT COUNT(*) AS n FROM sessions WHERE id LIKE $1');
const TOUCH = preparedSql('test_touch', 'UPDATE sessions SET last_activity = $1 WHERE id = $2');

/**
 * The write path on the real database (a SQLite file here, PostgreSQL under `npm run test:pg`).
 * Group commit: units ready together share a commit, a caller resumes only once its unit is visible to
 * another connection, and a failing unit fails alone (the others of its batch run again and commit once).
 * Prepared statements: prepared once, reused, inside the unit's transaction or on their own.
 */
describe('Database write path (e2e)', () => {
  let db: TestDatabase;
  let writer: DataSource;
  let observer: DataSource;
  let runner: TransactionRunner;
  let statements: PreparedStatements;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = parseDatabaseUrl(db.url);
    if (!config) throw new Error(`bad test database url ${db.url}`);
    writer = await new DataSource({ ...buildDataSourceOptions(config), migrationsRun: true, logging: false }).initialize();
    observer = await new DataSource({ ...buildDataSourceOptions(config), logging: false }).initialize();
    runner = new TransactionRunner(writer, new Metrics());
    statements = new PreparedStatements(writer);
  });

  afterAll(async () => {
    await statements.beforeApplicationShutdown();
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

  it('prepared statements run inside a unit of work (rolled back with it) and on their own, with the same results', async () => {
    await runner.run(insertSession('prep-1'));
    await expect(
      runner.run(async (manager) => {
        await statements.query(manager, TOUCH, [42, 'prep-1']);
        const [inside] = await statements.query<{ n: number | string }>(manager, COUNT_LIKE, ['prep-%']);
        expect(Number(inside?.n)).toBe(1);
        throw new Error('roll it back');
      }),
    ).rejects.toThrow('roll it back');
    const rows: { last_activity: number | string }[] = await observer.query(`SELECT last_activity FROM sessions WHERE id = 'prep-1'`);
    expect(Number(rows[0]?.last_activity)).toBe(0);
    await runner.run((manager) => statements.query(manager, TOUCH, [43, 'prep-1']));
    const after: { last_activity: number | string }[] = await observer.query(`SELECT last_activity FROM sessions WHERE id = 'prep-1'`);
    expect(Number(after[0]?.last_activity)).toBe(43);
    // Many concurrent uses of one statement, outside any unit.
    const counts = await Promise.all(
      Array.from({ length: 20 }, () => statements.query<{ n: number | string }>(writer, COUNT_LIKE, ['prep-%'])),
    );
    expect(counts.map((c) => Number(c[0]?.n))).toEqual(Array.from({ length: 20 }, () => 1));
  });

  it('a statement is prepared once and reused; once shutdown has begun, statements still run but none is kept', async () => {
    const countPrepares = spyOnSqlitePrepare(writer);
    await runner.run(async (manager) => {
      for (let i = 0; i < 5; i++) await statements.query(manager, COUNT_LIKE, ['none-%']);
      if (countPrepares === undefined) {
        // PostgreSQL: a server-side named statement on the unit's connection, prepared there once.
        const rows: { n: number | string }[] = await manager.query(`SELECT COUNT(*) AS n FROM pg_prepared_statements WHERE name = 'test_count_like'`);
        expect(Number(rows[0]?.n)).toBe(1);
      }
    });
    for (let i = 0; i < 5; i++) await statements.query(writer, COUNT_LIKE, ['none-%']);
    if (countPrepares !== undefined) expect(countPrepares()).toBe(0); // prepared by the previous test already
    const shutdown = new PreparedStatements(writer);
    await shutdown.query(writer, COUNT_LIKE, ['prep-%']);
    if (countPrepares !== undefined) expect(countPrepares()).toBe(1); // each instance keeps its own
    await shutdown.beforeApplicationShutdown();
    const [again] = await shutdown.query<{ n: number | string }>(writer, COUNT_LIKE, ['prep-%']);
    expect(Number(again?.n)).toBe(1);
    await runner.run(async (manager) => void (await shutdown.query(manager, TOUCH, [44, 'prep-1'])));
    if (countPrepares !== undefined) expect(countPrepares()).toBe(1);
  });
});

/** On SQLite, counts the writer's sqlite3 `Database#prepare` calls from now on; undefined on PostgreSQL. */
function spyOnSqlitePrepare(dataSource: DataSource): (() => number) | undefined {
  if (dataSource.options.type === 'postgres') return undefined;
  const sqlite = (dataSource.driver as unknown as { databaseConnection: import('sqlite3').Database }).databaseConnection;
  const original = sqlite.prepare.bind(sqlite);
  let count = 0;
  sqlite.prepare = ((...args: Parameters<typeof original>) => {
    count += 1;
    return original(...args);
  }) as typeof sqlite.prepare;
  return () => count;
}

/** The n-th positional parameter in the dialect of the manager's database. */
function param(manager: import('typeorm').EntityManager, n: number): string {
  return manager.connection.options.type === 'postgres' ? `$${n}` : '?';
}
