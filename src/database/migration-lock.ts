import { DataSource, DataSourceOptions } from 'typeorm';
import { CheckpointingDataSource } from './checkpointing-data-source';

/** Any fixed number: the advisory lock every instance takes to run migrations (ASCII "codelab!"). */
const MIGRATION_LOCK_KEY = '7165064383045788961';

/**
 * Connects, then runs pending migrations. On PostgreSQL several instances may start at once on one
 * database (docker compose, a rolling deploy): they take a session-level advisory lock first, so one
 * migrates and the others find nothing left to do. TypeORM itself takes no lock. The data source is a
 * CheckpointingDataSource (SQLite's WAL is checkpointed when it closes).
 */
export async function initializeWithMigrations(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = await new CheckpointingDataSource({ ...options, migrationsRun: false }).initialize();
  if (options.type !== 'postgres') {
    await dataSource.runMigrations({ transaction: 'all' });
    return dataSource;
  }
  const lock = dataSource.createQueryRunner();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await dataSource.runMigrations({ transaction: 'all' });
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
    await lock.release();
  } catch (error) {
    await lock.release().catch(() => undefined);
    await dataSource.destroy().catch(() => undefined);
    throw error;
  }
  return dataSource;
}
