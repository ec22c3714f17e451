import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/**
 * SQLite tuning on top of what the driver sets (WAL, foreign keys, busy timeout): `SQLITE_SYNCHRONOUS`
 * (default `NORMAL`: in WAL mode a process crash loses nothing committed, but an OS crash or power loss
 * can lose the newest commits; `FULL` syncs every commit). The WAL checkpoint at shutdown is
 * CheckpointingDataSource's.
 */
@Injectable()
export class SqlitePragmas implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.dataSource.options.type !== 'sqlite') return;
    await this.dataSource.query(`PRAGMA synchronous = ${this.config.sqliteSynchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
  }
}
