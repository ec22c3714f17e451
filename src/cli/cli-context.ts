import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { ConfigValidationError } from '../config/config-validation.error';
import { loadConfig } from '../config/load-config';
import { buildDataSourceOptions } from '../database/data-source-options';
import { AUTH_ENTITIES } from '../auth/entities';

/** Thrown for a mistake of the operator: printed as one line, exit code 2. */
export class UsageError extends Error {}

/**
 * Runs an operator command against the service's database (same DATABASE_URL, migrations applied
 * first), printing errors as one line: 2 for usage mistakes, 1 for anything else.
 */
export async function runCli(work: (dataSource: DataSource, config: AppConfig) => Promise<void>): Promise<void> {
  // The services' own log lines are for the server's log; the command prints its result itself.
  Logger.overrideLogger(false);
  let dataSource: DataSource | undefined;
  try {
    const config = loadConfig(process.env);
    const db = config.database;
    if (db.type === 'sqlite' && db.path !== ':memory:') mkdirSync(dirname(resolve(db.path)), { recursive: true });
    dataSource = new DataSource({ ...buildDataSourceOptions(db, [...AUTH_ENTITIES]), logging: false });
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    await work(dataSource, config);
  } catch (error) {
    process.exitCode = error instanceof UsageError || error instanceof ConfigValidationError ? 2 : 1;
    process.stderr.write(`${(error as Error).message}\n`);
  } finally {
    await dataSource?.destroy();
  }
}
