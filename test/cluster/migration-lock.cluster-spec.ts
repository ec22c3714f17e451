import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { MIGRATIONS } from '../../src/database/migrations';
import { initializeWithMigrations } from '../../src/database/migration-lock';
import { createPostgresDatabase, TestDatabase } from '../utils/test-database';

describe('migrations at start-up on a shared PostgreSQL database', () => {
  let database: TestDatabase;
  const sources: DataSource[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase('codelab_migration_lock');
  });

  afterAll(async () => {
    await Promise.all(sources.map((source) => source.destroy().catch(() => undefined)));
    await database?.drop();
  });

  it('four instances migrating at once all start, and every migration ran exactly once', async () => {
    const options = { ...buildDataSourceOptions({ type: 'postgres', url: database.url }), logging: false };
    const started = await Promise.allSettled([1, 2, 3, 4].map(() => initializeWithMigrations(options)));
    for (const result of started) if (result.status === 'fulfilled') sources.push(result.value);
    expect(started.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    const [source] = sources;
    const rows = (await source?.query('SELECT name, count(*)::int AS times FROM migrations GROUP BY name')) as { times: number }[];
    expect(rows).toHaveLength(MIGRATIONS.length);
    expect(rows.every((row) => row.times === 1)).toBe(true);
  });
});
