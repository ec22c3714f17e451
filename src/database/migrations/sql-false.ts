import type { QueryRunner } from 'typeorm';

/**
 * The SQL literal for `false` as a column default: the Table API writes defaults verbatim, and
 * SQLite (where TypeORM maps booleans to 0/1) must get `0` to match what the entities declare.
 */
export function sqlFalse(queryRunner: QueryRunner): string {
  return queryRunner.connection.options.type === 'sqlite' ? '0' : 'false';
}
