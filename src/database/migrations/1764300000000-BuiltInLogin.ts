import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { sqlFalse } from './sql-false';

/** Users, rotating refresh tokens and token-signing keys of the built-in login (PROTOCOL §10). */
export class BuiltInLogin1764300000000 implements MigrationInterface {
  name = 'BuiltInLogin1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'username', type: 'varchar', length: '64' },
          { name: 'password_hash', type: 'varchar', length: '255' },
          { name: 'disabled', type: 'boolean', default: sqlFalse(queryRunner) },
          { name: 'created_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'IDX_USERS_USERNAME', columnNames: ['username'], isUnique: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'refresh_tokens',
        columns: [
          { name: 'token_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'family_id', type: 'varchar', length: '36' },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'client_id', type: 'varchar', length: '128' },
          { name: 'scope', type: 'varchar', length: '500' },
          { name: 'created_at', type: 'bigint' },
          { name: 'expires_at', type: 'bigint' },
          { name: 'used_at', type: 'bigint', isNullable: true },
          { name: 'revoked_at', type: 'bigint', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'IDX_REFRESH_TOKENS_FAMILY', columnNames: ['family_id'] }),
          new TableIndex({ name: 'IDX_REFRESH_TOKENS_USER', columnNames: ['user_id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'signing_keys',
        columns: [
          { name: 'kid', type: 'varchar', length: '64', isPrimary: true },
          { name: 'algorithm', type: 'varchar', length: '16' },
          { name: 'private_key', type: 'text' },
          { name: 'public_jwk', type: 'text' },
          { name: 'created_at', type: 'bigint' },
          { name: 'retired_at', type: 'bigint', isNullable: true },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('signing_keys');
    await queryRunner.dropTable('refresh_tokens');
    await queryRunner.dropTable('users');
  }
}
