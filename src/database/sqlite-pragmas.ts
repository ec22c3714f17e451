import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * SQLite tuning on top of what the driver sets (WAL, foreign keys, busy timeout): in WAL mode
 * `synchronous=NORMAL` is still crash-safe for the process (only an OS crash can lose the newest
 * commits). At shutdown the WAL is checkpointed so that the main file is complete on its own.
 */
@Injectable()
export class SqlitePragmas implements OnModuleInit, OnApplicationShutdown {
  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    if (this.dataSource.options.type !== 'sqlite') return;
    await this.dataSource.query('PRAGMA synchronous = NORMAL');
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.options.type !== 'sqlite' || !this.dataSource.isInitialized) return;
    await this.dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)').catch(() => undefined);
  }
}
