import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/** The per-session event log that protocol 2 replays from (`last_seq`). */
export class SessionEvents1763800000000 implements MigrationInterface {
  name = 'SessionEvents1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'session_events',
        columns: [
          { name: 'session_id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'seq', type: 'integer', isPrimary: true },
          { name: 'frame', type: 'text' },
          { name: 'created_at', type: 'bigint' },
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['session_id'],
            referencedTableName: 'sessions',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
        indices: [new TableIndex({ name: 'IDX_SESSION_EVENTS_CREATED_AT', columnNames: ['created_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('session_events');
  }
}
