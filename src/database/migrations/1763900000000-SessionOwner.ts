import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/** Sessions belong to the user who created them (null: created with authentication off). */
export class SessionOwner1763900000000 implements MigrationInterface {
  name = 'SessionOwner1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'sessions',
      new TableColumn({ name: 'owner_id', type: 'varchar', length: '128', isNullable: true }),
    );
    await queryRunner.createIndex(
      'sessions',
      new TableIndex({ name: 'IDX_SESSIONS_OWNER_LAST_ACTIVITY', columnNames: ['owner_id', 'last_activity'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('sessions', 'IDX_SESSIONS_OWNER_LAST_ACTIVITY');
    await queryRunner.dropColumn('sessions', 'owner_id');
  }
}
