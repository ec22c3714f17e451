import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/** Remote agents registered through gRPC `RegisterAgent` (PROTOCOL §6); they survive restarts. */
export class RemoteAgents1764100000000 implements MigrationInterface {
  name = 'RemoteAgents1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'remote_agents',
        columns: [
          { name: 'agent_id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'description', type: 'text' },
          { name: 'capabilities', type: 'text' },
          { name: 'endpoint', type: 'varchar', length: '300' },
          { name: 'detailed_description', type: 'text' },
          { name: 'how_it_works', type: 'text' },
          { name: 'return_format', type: 'text' },
          { name: 'use_cases', type: 'text' },
          { name: 'version', type: 'varchar', length: '64' },
          { name: 'registered_by', type: 'varchar', length: '128', isNullable: true },
          { name: 'registered_at', type: 'bigint' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('remote_agents');
  }
}
