import { resolve } from 'node:path';
import * as sqlite3 from 'sqlite3';
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
    // TypeORM calls sqlite3.verbose(), which captures a stack trace for every statement (a large part
    // of the per-query cost); hand it a driver whose verbose() is the plain module.
    driver: { ...sqlite3, verbose: () => sqlite3 },
    database: inMemory ? ':memory:' : resolve(db.path),
    enableWAL: !inMemory,
    busyTimeout: 10_000,
    ...common,
  };
}
