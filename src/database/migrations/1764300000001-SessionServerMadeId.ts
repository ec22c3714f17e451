import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { sqlFalse } from './sql-false';

/**
 * Whether a session's id was made by the server (an authenticated `POST /sessions` without
 * `session_id`): only such ids may serve as a socket's credential (AUTH_WS_SESSION_CAPABILITY).
 */
export class SessionServerMadeId1764300000001 implements MigrationInterface {
  name = 'SessionServerMadeId1764300000001';

  // On SQLite, TypeORM's addColumn/dropColumn rebuild the table, which the search triggers on `sessions`
  // (MessageSearch1764200000000) do not survive; SQLite's own ALTER TABLE adds and drops in place.
  async up(queryRunner: QueryRunner): Promise<void> {
    if (isSqlite(queryRunner)) {
      await queryRunner.query(`ALTER TABLE "sessions" ADD COLUMN "server_made_id" boolean NOT NULL DEFAULT (0)`);
      return;
    }
    await queryRunner.addColumn('sessions', new TableColumn({ name: 'server_made_id', type: 'boolean', default: sqlFalse(queryRunner) }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (isSqlite(queryRunner)) {
      await queryRunner.query(`ALTER TABLE "sessions" DROP COLUMN "server_made_id"`);
      return;
    }
    await queryRunner.dropColumn('sessions', 'server_made_id');
  }
}

function isSqlite(queryRunner: QueryRunner): boolean {
  return queryRunner.connection.options.type === 'sqlite';
}
