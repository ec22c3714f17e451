import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * `sessions.version`: incremented by every conversation commit (in the UPDATE of the session row that
 * commit already runs), so that a process holding a session's state in memory can tell, with one
 * indexed read, whether another process has written to it since.
 */
export class SessionVersion1764400000000 implements MigrationInterface {
  name = 'SessionVersion1764400000000';

  // SQLite's own ALTER TABLE (see SessionServerMadeId1764300000001: TypeORM's rebuild drops the search triggers).
  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'sqlite') {
      await queryRunner.query(`ALTER TABLE "sessions" ADD COLUMN "version" integer NOT NULL DEFAULT (0)`);
      return;
    }
    await queryRunner.addColumn('sessions', new TableColumn({ name: 'version', type: 'integer', default: 0 }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'sqlite') {
      await queryRunner.query(`ALTER TABLE "sessions" DROP COLUMN "version"`);
      return;
    }
    await queryRunner.dropColumn('sessions', 'version');
  }
}
