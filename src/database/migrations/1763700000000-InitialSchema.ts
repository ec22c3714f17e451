import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

const sessionFk = (): TableForeignKey =>
  new TableForeignKey({
    columnNames: ['session_id'],
    referencedTableName: 'sessions',
    referencedColumnNames: ['id'],
    onDelete: 'CASCADE',
  });

/** sessions, messages, agent_contexts, pending_approvals. Portable types only (SQLite and PostgreSQL). */
export class InitialSchema1763700000000 implements MigrationInterface {
  name = 'InitialSchema1763700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          { name: 'id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'title', type: 'varchar', length: '200', isNullable: true },
          { name: 'message_count', type: 'integer', default: 0 },
          { name: 'created_at', type: 'bigint' },
          { name: 'last_activity', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'IDX_SESSIONS_LAST_ACTIVITY', columnNames: ['last_activity'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'messages',
        columns: [
          { name: 'session_id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'seq', type: 'integer', isPrimary: true },
          { name: 'role', type: 'varchar', length: '16' },
          { name: 'content', type: 'text', isNullable: true },
          { name: 'name', type: 'varchar', length: '128', isNullable: true },
          { name: 'tool_call_id', type: 'varchar', length: '128', isNullable: true },
          { name: 'tool_calls', type: 'text', isNullable: true },
          { name: 'agent', type: 'varchar', length: '32', isNullable: true },
          { name: 'created_at', type: 'bigint' },
        ],
        foreignKeys: [sessionFk()],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'agent_contexts',
        columns: [
          { name: 'session_id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'current_agent', type: 'varchar', length: '32' },
          { name: 'agent_history', type: 'text' },
          { name: 'context_metadata', type: 'text' },
          { name: 'created_at', type: 'bigint' },
          { name: 'last_switch_at', type: 'bigint', isNullable: true },
          { name: 'switch_count', type: 'integer', default: 0 },
        ],
        foreignKeys: [sessionFk()],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'pending_approvals',
        columns: [
          { name: 'session_id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'call_id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'tool_name', type: 'varchar', length: '64' },
          { name: 'arguments', type: 'text' },
          { name: 'reason', type: 'varchar', length: '500', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'created_at', type: 'bigint' },
          { name: 'decided_at', type: 'bigint', isNullable: true },
          { name: 'decision_reason', type: 'text', isNullable: true },
        ],
        foreignKeys: [sessionFk()],
        indices: [
          new TableIndex({ name: 'IDX_PENDING_APPROVALS_SESSION_STATUS', columnNames: ['session_id', 'status'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('pending_approvals');
    await queryRunner.dropTable('agent_contexts');
    await queryRunner.dropTable('messages');
    await queryRunner.dropTable('sessions');
  }
}
