import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

const eventsTable = (name: string, key: 'incarnation' | 'session_id', parent: TableForeignKey): Table =>
  new Table({
    name,
    columns: [
      { name: key, type: 'varchar', length: '128', isPrimary: true },
      { name: 'seq', type: 'integer', isPrimary: true },
      { name: 'frame', type: 'text' },
      { name: 'created_at', type: 'bigint' },
    ],
    foreignKeys: [parent],
    indices: [new TableIndex({ name: 'IDX_SESSION_EVENTS_CREATED_AT', columnNames: ['created_at'] })],
  });

/**
 * Each incarnation of a session id gets its own event stream: `session_streams` maps a session to the
 * key of its current stream, and `session_events` is keyed by that stream. A session that is deleted and
 * created again under the same id gets a new stream, so nothing of the deleted one can be replayed to
 * the new owner, and a late write of the old stream fails its foreign key instead of landing in the new one.
 * Existing streams keep their session id as their key.
 */
export class SessionStreams1764000000000 implements MigrationInterface {
  name = 'SessionStreams1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'session_streams',
        columns: [
          { name: 'session_id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'incarnation', type: 'varchar', length: '128', isUnique: true },
          { name: 'created_at', type: 'bigint' },
        ],
        foreignKeys: [
          new TableForeignKey({ columnNames: ['session_id'], referencedTableName: 'sessions', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
      }),
    );
    await queryRunner.query(
      `INSERT INTO session_streams (session_id, incarnation, created_at) SELECT DISTINCT session_id, session_id, ${Date.now()} FROM session_events`,
    );
    await queryRunner.dropIndex('session_events', 'IDX_SESSION_EVENTS_CREATED_AT');
    await queryRunner.renameTable('session_events', 'session_events_legacy');
    await queryRunner.createTable(
      eventsTable(
        'session_events',
        'incarnation',
        new TableForeignKey({
          columnNames: ['incarnation'],
          referencedTableName: 'session_streams',
          referencedColumnNames: ['incarnation'],
          onDelete: 'CASCADE',
        }),
      ),
    );
    await queryRunner.query(
      'INSERT INTO session_events (incarnation, seq, frame, created_at) SELECT session_id, seq, frame, created_at FROM session_events_legacy',
    );
    await queryRunner.dropTable('session_events_legacy');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('session_events', 'IDX_SESSION_EVENTS_CREATED_AT');
    await queryRunner.renameTable('session_events', 'session_events_streamed');
    await queryRunner.createTable(
      eventsTable(
        'session_events',
        'session_id',
        new TableForeignKey({ columnNames: ['session_id'], referencedTableName: 'sessions', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
      ),
    );
    await queryRunner.query(
      'INSERT INTO session_events (session_id, seq, frame, created_at) ' +
        'SELECT s.session_id, e.seq, e.frame, e.created_at FROM session_events_streamed e JOIN session_streams s ON s.incarnation = e.incarnation',
    );
    await queryRunner.dropTable('session_events_streamed');
    await queryRunner.dropTable('session_streams');
  }
}
