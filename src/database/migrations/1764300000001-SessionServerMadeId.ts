import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { sqlFalse } from './sql-false';

/**
 * Whether a session's id was made by the server (an authenticated `POST /sessions` without
 * `session_id`): only such ids may serve as a socket's credential (AUTH_WS_SESSION_CAPABILITY).
 */
export class SessionServerMadeId1764300000001 implements MigrationInterface {
  name = 'SessionServerMadeId1764300000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('sessions', new TableColumn({ name: 'server_made_id', type: 'boolean', default: sqlFalse(queryRunner) }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('sessions', 'server_made_id');
  }
}
