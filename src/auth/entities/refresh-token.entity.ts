import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../../database/epoch-ms.transformer';

/**
 * One refresh token, stored as the SHA-256 of its value. Tokens of one login form a family: each use
 * marks the token used and issues its successor; presenting a used or revoked token revokes the family.
 */
@Entity({ name: 'refresh_tokens' })
@Index('IDX_REFRESH_TOKENS_FAMILY', ['familyId'])
@Index('IDX_REFRESH_TOKENS_USER', ['userId'])
export class RefreshTokenEntity {
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ name: 'family_id', type: 'varchar', length: 36 })
  familyId!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ name: 'client_id', type: 'varchar', length: 128 })
  clientId!: string;

  @Column({ name: 'scope', type: 'varchar', length: 500 })
  scope!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'bigint', nullable: true, transformer: epochMs })
  usedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochMs })
  revokedAt!: Date | null;
}
