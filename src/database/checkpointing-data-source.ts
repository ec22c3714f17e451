import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * TypeORM's DataSource, but on SQLite it checkpoints the WAL into the main file (and truncates the
 * -wal file) right before the connection closes, after every write of the shutdown (last turns, the
 * event log's flush) went through. SQLite does this by itself only when it closes the file's last
 * connection; another process reading the file (a backup, the `users` CLI) would keep the WAL around.
 * A hook of our own cannot do it: TypeORM's module closes the connection in its shutdown hook, before
 * any `onApplicationShutdown` of the modules that import it.
 */
export class CheckpointingDataSource extends DataSource {
  private readonly shutdownLogger = new Logger('Database');

  override async destroy(): Promise<void> {
    if (this.options.type === 'sqlite' && this.isInitialized) {
      try {
        const [result] = await this.query<{ busy: number; log: number; checkpointed: number }[]>('PRAGMA wal_checkpoint(TRUNCATE)');
        if (result && result.busy !== 0) this.shutdownLogger.warn('WAL checkpoint at shutdown was blocked by a reader; the -wal file stays until the next start');
      } catch (error) {
        this.shutdownLogger.warn(`WAL checkpoint at shutdown failed: ${(error as Error).message}`);
      }
    }
    await super.destroy();
  }
}
