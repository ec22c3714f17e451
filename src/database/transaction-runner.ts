import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs a unit of work in one database transaction. Every write goes through here.
 *
 * TypeORM's SQLite driver shares one connection and one query runner across the whole process, so two
 * overlapping `dataSource.transaction()` calls would silently nest into each other (a rollback of one
 * would undo the other). On SQLite the runner therefore queues transactions; SQLite allows a single
 * writer anyway. PostgreSQL uses the pool and runs them concurrently.
 */
@Injectable()
export class TransactionRunner {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly serialize: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.serialize = dataSource.options.type === 'sqlite';
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialize) return this.dataSource.transaction(work);
    const result = this.tail.then(() => this.dataSource.transaction(work));
    this.tail = result.catch(() => undefined);
    return result;
  }
}
