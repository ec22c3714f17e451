import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { Pool, PoolClient, QueryResult } from 'pg';
import type { Database, Statement } from 'sqlite3';
import { DataSource, EntityManager } from 'typeorm';

export type SqlValue = string | number | null;

/** A statement of the hot path: `$1…$n` placeholders, one text per dialect, a name to cache it under. */
export interface PreparedSql {
  readonly name: string;
  readonly postgres: string;
  /** `$n` becomes `?n` (SQLite's numbered parameter). */
  readonly sqlite: string;
}

/** Defines a statement; `postgres` overrides the text on PostgreSQL (e.g. with ` FOR UPDATE`). */
export function preparedSql(name: string, text: string, postgres: string = text): PreparedSql {
  return { name, postgres, sqlite: text.replace(/\$(\d+)/g, '?$1') };
}

/**
 * Runs the per-turn statements as prepared statements that are prepared once and reused: on SQLite a
 * `sqlite3` Statement per text on TypeORM's one connection (so inside whatever transaction is open
 * there, e.g. a group-commit batch), on PostgreSQL a named statement that `pg` prepares once per pool
 * connection. Preparing a statement anew for every call was the largest single item in the profile.
 * Everything else keeps going through TypeORM.
 */
@Injectable()
export class PreparedStatements implements BeforeApplicationShutdown {
  private readonly logger = new Logger(PreparedStatements.name);
  private readonly sqlite = new Map<string, Statement>();
  /** Once shutdown has begun, statements run without being kept, so that the connection can close. */
  private keep = true;

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `statement` with `params` on `on`: the manager of a unit of work (inside its transaction) or the
   * data source (autocommit reads). Returns the rows (none for writes).
   */
  query<T>(on: DataSource | EntityManager, statement: PreparedSql, params: readonly SqlValue[]): Promise<T[]> {
    if (this.dataSource.options.type === 'postgres') return this.postgres<T>(on, statement, params);
    return this.onSqlite<T>(statement, params);
  }

  /**
   * Finalizes the kept statements (SQLite refuses to close a connection that still has some; TypeORM
   * closes it in its own shutdown hook, which runs after every `beforeApplicationShutdown`). Writes
   * that still come (the last turns, the event log's last flush) run with a statement of their own.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.keep = false;
    const statements = [...this.sqlite.values()];
    this.sqlite.clear();
    await Promise.all(statements.map((s) => new Promise<void>((resolve) => s.finalize(() => resolve()))));
  }

  private onSqlite<T>(statement: PreparedSql, params: readonly SqlValue[]): Promise<T[]> {
    const db = (this.dataSource.driver as unknown as { databaseConnection: Database }).databaseConnection;
    if (!this.keep) {
      return new Promise<T[]>((resolve, reject) => db.all(statement.sqlite, [...params], (error: Error | null, rows: T[]) => (error ? reject(error) : resolve(rows))));
    }
    let prepared = this.sqlite.get(statement.name);
    if (!prepared) {
      prepared = db.prepare(statement.sqlite);
      prepared.on('error', (error: Error) => this.logger.error(`statement ${statement.name} failed to prepare: ${error.message}`));
      this.sqlite.set(statement.name, prepared);
    }
    const stmt = prepared;
    return new Promise<T[]>((resolve, reject) => {
      stmt.all([...params], (error: Error | null, rows: T[]) => {
        if (!error) return resolve(rows);
        // A statement that cannot run (e.g. the schema changed under it) is prepared again next time.
        if (/SQLITE_(SCHEMA|MISUSE)|finalized/i.test(error.message) && this.sqlite.get(statement.name) === stmt) this.sqlite.delete(statement.name);
        reject(error);
      });
    });
  }

  private async postgres<T>(on: DataSource | EntityManager, statement: PreparedSql, params: readonly SqlValue[]): Promise<T[]> {
    const config = { name: statement.name, text: statement.postgres, values: [...params] };
    const runner = 'queryRunner' in on ? on.queryRunner : undefined;
    let result: QueryResult;
    if (runner) {
      // The unit of work's own connection, inside its transaction.
      const client = (runner as unknown as { databaseConnection: PoolClient }).databaseConnection;
      result = await client.query(config);
    } else {
      const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
      result = await pool.query(config);
    }
    return result.rows as T[];
  }
}
