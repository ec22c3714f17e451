import { resolve } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { DatabaseConfig } from '../config/app-config';
import { MIGRATIONS } from './migrations';

type EntityList = NonNullable<DataSourceOptions['entities']>;

/**
 * The one DataSource definition, shared by the app (DatabaseModule) and the TypeORM CLI (ormconfig.ts).
 * The schema only ever comes from migrations.
 */
export function buildDataSourceOptions(db: DatabaseConfig, entities: EntityList = []): DataSourceOptions {
  const common = {
    entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: ['error', 'warn'] as ('error' | 'warn')[],
  };
  if (db.type === 'postgres') {
    return { type: 'postgres', url: db.url, ...common };
  }
  const inMemory = db.path === ':memory:';
  return {
    type: 'sqlite',
    database: inMemory ? ':memory:' : resolve(db.path),
    enableWAL: !inMemory,
    busyTimeout: 10_000,
    ...common,
  };
}
