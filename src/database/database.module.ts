import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { buildDataSourceOptions } from './data-source-options';
import { initializeWithMigrations } from './migration-lock';
import { PreparedStatements } from './prepared-statements';
import { SqlitePragmas } from './sqlite-pragmas';
import { TransactionRunner } from './transaction-runner';

/** Connects to the configured database and runs pending migrations at start-up (one instance at a time). */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const db = config.database;
        if (db.type === 'sqlite' && db.path !== ':memory:') {
          mkdirSync(dirname(resolve(db.path)), { recursive: true });
        }
        return { ...buildDataSourceOptions(db), autoLoadEntities: true };
      },
      dataSourceFactory: async (options) => {
        if (options === undefined) throw new Error('no data source options');
        return initializeWithMigrations(options);
      },
    }),
  ],
  providers: [TransactionRunner, PreparedStatements, SqlitePragmas],
  exports: [TransactionRunner, PreparedStatements],
})
export class DatabaseModule {}
