import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/**
 * SQLite tuning on top of what the driver sets (WAL, foreign keys, busy timeout): `SQLITE_SYNCHRONOUS`
 * (default `NORMAL`: in WAL mode a process crash loses nothing committed, but an OS crash or power loss
 * can lose the newest commits; `FULL` syncs every commit). At shutdown the WAL is checkpointed so that
 * the main file is complete on its own.
 */
@Injectable()
export class SqlitePragmas implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.dataSource.options.type !== 'sqlite') return;
    await this.dataSource.query(`PRAGMA synchronous = ${this.config.sqliteSynchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.options.type !== 'sqlite' || !this.dataSource.isInitialized) return;
    await this.dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)').catch(() => undefined);
  }
}
