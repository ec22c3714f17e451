import type { DataSource, EntityManager } from 'typeorm';

export type SqlParams = Record<string, string | number | null>;

/**
 * Runs hand-written SQL with `:named` parameters on either database (TypeORM turns them into `?` or
 * `$1`). Used on the per-message hot path, where the entity layer's per-query bookkeeping cost more
 * than the query itself; the SQL sticks to what SQLite and PostgreSQL both understand.
 */
export function rawQuery<T>(runner: DataSource | EntityManager, sql: string, params: SqlParams = {}): Promise<T[]> {
  const driver = 'driver' in runner ? runner.driver : runner.connection.driver;
  const [query, values] = driver.escapeQueryWithParameters(sql, params, {});
  return runner.query<T[]>(query, values);
}

/** ` FOR UPDATE` where row locks exist (PostgreSQL); SQLite serializes its transactions instead. */
export function forUpdate(runner: DataSource | EntityManager): string {
  const type = 'driver' in runner ? runner.options.type : runner.connection.options.type;
  return type === 'sqlite' ? '' : ' FOR UPDATE';
}
