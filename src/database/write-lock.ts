import { EntityManager, FindOneOptions } from 'typeorm';

/**
 * Find options that lock the row for the rest of the transaction (`SELECT … FOR UPDATE`), so that
 * read-modify-write transactions on the same row queue up instead of racing. PostgreSQL needs it;
 * SQLite has no row locks (TypeORM refuses the option) and TransactionRunner serializes its
 * transactions anyway.
 */
export function writeLock<T>(manager: EntityManager): Pick<FindOneOptions<T>, 'lock'> {
  return manager.connection.options.type === 'sqlite' ? {} : { lock: { mode: 'pessimistic_write' } };
}
